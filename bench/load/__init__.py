"""The load test of issue 22 (`make load`): Locust's simulated users (locustfile.py, journeys.py)
against the production shape on this machine (run.py: gunicorn as compose runs it, a Celery worker and
beat, PostgreSQL and Redis) on the la bench data set, with the sweep every minute; the figures
(report.py) go to bench/results/<date>.md beside the benches'. docs/decisions/0041-load-test.md.
"""
