"""Limits applied to every request before anything reads its body (issue 13, finding 5).

`RequestBodyLimitMiddleware` refuses, with 413 and a GOV.UK page, a request whose declared
Content-Length is over the cap for its URL: the advice upload page may carry the largest
document allowed and its form; every other page (sign-in, password reset, every form) gets
far less. Django reads at most the declared Content-Length from the socket, and reads no body
at all when none is declared, so a body with no length (chunked) is refused with 411 rather
than silently seen as empty. The reverse proxy in docker-compose.yml applies the larger cap
before the request reaches gunicorn.

`ProxyClientAddressMiddleware` puts the client's address in REMOTE_ADDR when the service runs
behind a trusted reverse proxy (TRUSTED_PROXY_COUNT), so the audit trail, django-axes and the
throttles see people rather than the proxy. With no proxy configured X-Forwarded-For is
ignored: anyone can send it.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve


def body_limit_for(path_info: str) -> int:
    try:
        name = resolve(path_info).view_name
    except Resolver404:
        name = None
    if name in settings.UPLOAD_URL_NAMES:
        return settings.ADVICE_UPLOAD_MAX_BYTES + settings.REQUEST_BODY_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


def _human(size):
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not declared.strip():
            if chunked:
                return self._refuse(request, 411, None)
            return self.get_response(request)
        try:
            length = int(declared)
        except ValueError:
            return self._refuse(request, 400, None)
        limit = body_limit_for(request.path_info)
        if length > limit:
            return self._refuse(request, 413, limit)
        return self.get_response(request)

    def _refuse(self, request, status, limit):
        # The body is left unread; the server (gunicorn, behind the proxy) closes or drains the
        # connection. WSGI forbids an application to set Connection itself.
        return render(
            request,
            "request_too_large.html",
            {
                "status": status,
                "limit": _human(limit) if limit else None,
                "upload_limit": _human(settings.ADVICE_UPLOAD_MAX_BYTES),
            },
            status=status,
        )


class ProxyClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = settings.TRUSTED_PROXY_COUNT
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if count and forwarded:
            # Each trusted proxy appends the address it saw; those to the left of the last `count`
            # entries were written by the client and prove nothing.
            addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
            if len(addresses) >= count:
                request.META["REMOTE_ADDR"] = addresses[-count]
        return self.get_response(request)
