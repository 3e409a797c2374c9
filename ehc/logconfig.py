"""settings.LOGGING: one JSON object per line on stderr with the request id (ehc.requestid), for
the log shipper; or a plain line for a person reading a terminal (decision 0027)."""

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS

FORMATTERS = {
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
        "rename_fields": {"levelname": "level", "name": "logger"},
        # "timestamp": ISO 8601 in UTC.
        "timestamp": True,
        # Any `extra` a library adds is kept (Celery's task name and id, Django's status code),
        # except Django's `request`, whose repr carries the query string (a search for a child).
        "reserved_attrs": [*RESERVED_ATTRS, "request"],
    },
}


def logging_config(*, level, log_format):
    if log_format not in FORMATTERS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(FORMATTERS)}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "ehc.requestid.RequestIdFilter"}},
        "formatters": {log_format: FORMATTERS[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "weasyprint": {"level": "ERROR"},
            "fontTools": {"level": "ERROR"},
            "pikepdf": {"level": "WARNING"},
        },
    }
