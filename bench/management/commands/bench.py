"""Run the benchmarks of issue 8: `python manage.py bench --scale la|national|tiny [--only B1,B6] [--reps N]`.

Builds the data set if missing into a database of its own on the same server (<name>_bench_<scale>,
made here; the configured database is never touched), then runs each scenario's floor and app side
in the same run, prints the table and appends it to bench/results/<date>.md.
"""

import datetime
import os
import time

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg2 import sql

from bench import BENCH_NOW, data, harness, scenarios


def _server_connection(settings_dict):
    # A unix-socket URL (`?host=/path`, as `make bench` gives for the embedded server) puts the
    # socket directory in OPTIONS, not HOST: without it psycopg2 would reach another server.
    options = settings_dict.get("OPTIONS") or {}
    conn = psycopg2.connect(
        dbname="postgres",
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or options.get("host") or None,
        port=settings_dict.get("PORT") or options.get("port") or None,
    )
    conn.autocommit = True
    return conn


class Command(BaseCommand):
    help = "Benchmark the app against hand-written SQL floors (issue 8)"

    def add_arguments(self, parser):
        # `make bench` passes SCALE through the environment (ehc.localrun); --scale wins.
        default_scale = os.environ.get("SCALE") if os.environ.get("SCALE") in data.SCALES else "la"
        parser.add_argument("--scale", choices=sorted(data.SCALES), default=default_scale)
        parser.add_argument("--only", default="", help="Scenario codes, comma-separated: B1,B6 (B8 runs B8a, B8b, ...)")
        parser.add_argument("--reps", type=int, default=5, help="Timed repetitions of each side (default 5)")
        parser.add_argument("--rebuild", action="store_true", help="Build the data set again even if present")
        parser.add_argument("--no-results", action="store_true", help="Print only; do not write bench/results/")

    def handle(self, *args, scale, only, reps, rebuild, no_results, **options):
        started_at = datetime.datetime.now(datetime.UTC)
        day = datetime.date.today()  # before the clock is moved to the data set's day
        self._use_bench_database(scale, rebuild=rebuild)
        meta = data.meta()
        self.stdout.write(
            "Data set: "
            + ", ".join(
                f"{key} {meta[key]}" for key in ("scale", "requests", "items", "outstanding", "overdue", "due_now")
            )
        )
        self._test_environment()
        import time_machine

        wall = time.perf_counter()
        outcomes = []
        with time_machine.travel(BENCH_NOW, tick=True):
            ctx = scenarios.Context()
            for scenario in scenarios.select(only):
                self.stdout.write(f"  {scenario.code} {scenario.title} ...")
                outcome = harness.run_scenario(scenario, ctx, reps=reps)
                outcomes.append(outcome)
                self.stdout.write(
                    f"    {outcome.status}: app {harness._pair(outcome, 'app')} ms, "
                    f"floor {harness._pair(outcome, 'floor')} ms"
                )
        wall = time.perf_counter() - wall
        self.stdout.write("")
        self.stdout.write(harness.format_table(outcomes))
        notes = harness.format_notes(outcomes)
        if notes:
            self.stdout.write("")
            self.stdout.write(notes)
        if not no_results:
            text = harness.markdown(
                outcomes, scale=scale, meta=meta, reps=reps, started_at=started_at, wall_seconds=wall
            )
            path = harness.write_results(text, day=day)
            self.stdout.write(f"\nResults appended to {path}")

    def _use_bench_database(self, scale, *, rebuild):
        settings_dict = connection.settings_dict
        base = settings_dict["NAME"]
        suffix = f"_bench_{scale}"
        name = base if base.endswith(suffix) else f"{base}{suffix}"
        server = _server_connection(settings_dict)
        try:
            with server.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                exists = cursor.fetchone() is not None
            connection.close()
            settings_dict["NAME"] = name
            settings.DATABASES["default"]["NAME"] = name
            if exists and not rebuild:
                built = data.built_scale()
                if built == scale:
                    self.stdout.write(f"Using the {scale} data set in {name!r} (--rebuild to build it again)")
                    call_command("migrate", verbosity=0, interactive=False)
                    return
                self.stdout.write(f"{name!r} holds no complete {scale} data set: building it again")
            connection.close()
            with server.cursor() as cursor:
                if exists:
                    cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            server.close()
        call_command("migrate", verbosity=0, interactive=False)
        try:
            data.build(scale, out=self.stdout.write)
        except data.BenchDataRefused as exc:
            raise CommandError(str(exc)) from None

    def _test_environment(self):
        """As in tests: the test client's host allowed, emails kept in memory, tasks run in-process,
        plain static file storage (no manifest needed); DEBUG off so neither queries nor templates
        carry debug bookkeeping; template rendering instrumented so pages' contexts can be compared."""
        import logging
        import warnings

        from django.test.utils import setup_test_environment

        logging.getLogger("axes").setLevel(logging.WARNING)  # test clients sign in without a password
        warnings.filterwarnings("ignore", message="No directory at")

        setup_test_environment(debug=False)
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        settings.CELERY_TASK_ALWAYS_EAGER = True
        from ehc.celery import app

        app.conf.task_always_eager = True
