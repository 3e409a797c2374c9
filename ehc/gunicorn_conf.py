"""gunicorn's own settings in the production shape (`--config=python:ehc.gunicorn_conf` in the
Dockerfile and docker-compose.yml): its error and access logs in the same one-line JSON (or plain)
format as the application's (ehc.logconfig, decision 0027), with the request id.

The access log keeps the method, the path, the status, the size and the time, and never the query
string or the Referer: both can carry a search for a child by name or NHS number
(assessments.search), which has no place in a log shipped elsewhere.
"""

import logging
import os

from ehc.logconfig import logging_config

accesslog = "-"
# %(U)s is the path without its query string; the id is the one the application answered with.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class AccessRequestId(logging.Filter):
    """The request id of an access line: the X-Request-ID the application put on its response."""

    def filter(self, record):
        atoms = record.args if isinstance(record.args, dict) else {}
        record.request_id = atoms.get("{x-request-id}o") or None
        return True


def gunicorn_logging(*, level, log_format):
    config = logging_config(level=level, log_format=log_format)
    config["filters"]["access_request_id"] = {"()": "ehc.gunicorn_conf.AccessRequestId"}
    config["loggers"] |= {
        "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["console"],
            "filters": ["access_request_id"],
            "propagate": False,
        },
    }
    return config


logconfig_dict = gunicorn_logging(
    level=os.environ.get("LOG_LEVEL", "INFO"), log_format=os.environ.get("LOG_FORMAT", "json")
)
