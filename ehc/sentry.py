"""Error reporting to Sentry, only when SENTRY_DSN is set (decision 0027).

The product holds children's health and education details: nothing of them may leave for Sentry.
So no personal data (send_default_pii=False), no request bodies, cookies or query strings (a search
can hold a child's name), no local variables of stack frames (they hold the records being worked
on), no SQL breadcrumbs (their parameters are data), and nothing from the readiness checks (they
are for the monitor; a failing check is logged, not reported). What is left is the exception's
type, message and stack, the URL's path, the view and the request id to find the log lines by.
"""

from .requestid import current as current_request_id

# Request headers kept on an event; every other header (cookies, authorisation) is dropped.
KEPT_HEADERS = {"user-agent", "x-request-id", "content-type", "content-length"}


def before_send(event, hint):
    request = event.get("request")
    if request:
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS}
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if "id" in user else {}
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def before_breadcrumb(crumb, hint):
    if crumb.get("category") in ("query", "redis"):
        return None
    return crumb


def init(dsn, *, environment, release=None):
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import ignore_logger

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        # Errors only: no performance traces (they would carry URLs and SQL of every request).
        traces_sample_rate=0,
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
    )
    ignore_logger("ehc.health")
