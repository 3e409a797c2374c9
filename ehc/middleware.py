import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404
from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils.cache import add_never_cache_headers

# Pages a signed-in user may reach before completing two-factor authentication. These are
# full view names (namespace included): the admin's "admin:login" is not "login" and stays
# behind verification, so it can never serve as a second, unguarded sign-in page.
MFA_EXEMPT_URL_NAMES = {
    "login",
    "logout",
    "mfa_setup",
    "mfa_verify",
    "mfa_backup_codes",
    "accessibility",
    "healthz",
    "readyz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    # Single sign-on (ehc.views_sso): the way in, like "login".
    "sso_start",
    "sso_callback",
}


SESSION_TOUCH_SECONDS = 60


class SessionLimitsMiddleware:
    """Idle and absolute session limits (30 minutes idle, 12 hours in all by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get("auth_started_at", now)
            last_seen = request.session.get("last_seen_at", now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            ):
                logout(request)
                messages.info(request, "You were signed out to keep the records safe. Sign in again to continue.")
                return redirect(settings.LOGIN_URL)
            # Writing the session costs three queries a request; a minute's precision on the idle
            # limit is enough, so it is refreshed at most once a minute.
            if "auth_started_at" not in request.session:
                request.session["auth_started_at"] = started
            if "last_seen_at" not in request.session or now - last_seen >= SESSION_TOUCH_SECONDS:
                request.session["last_seen_at"] = now
        return self.get_response(request)


class RequireVerifiedMiddleware:
    """No page with case data, the admin included, before the second factor is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if settings.MFA_REQUIRED and user.is_authenticated and not user.is_verified():
            if not request.path.startswith(settings.STATIC_URL):
                try:
                    name = resolve(request.path_info).view_name
                except Resolver404:
                    name = None
                if name not in MFA_EXEMPT_URL_NAMES:
                    from .mfa import code_devices

                    return redirect("mfa_verify" if code_devices(user) else "mfa_setup")
        return self.get_response(request)


class NoStoreMiddleware:
    """No page is kept by the browser or a proxy: council and NHS computers are shared, and
    after sign-out the back button must not show a child's record. Static files (served
    earlier by WhiteNoise) keep their long cache lifetimes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response


class NotFoundPageMiddleware:
    """The product's own "Page not found" page with DEBUG on too (`make run`). Django's debug 404
    lists every URL pattern of the site and the exception's message: not something to show anyone
    who mistypes an address, and not what production shows, so the demo should not either. With
    DEBUG off Django already uses handler404 (ehc.views.error_404), and this is not loaded."""

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        # An address no pattern matches fails before any view, where process_exception never sees it.
        try:
            resolve(request.path_info)
        except Resolver404:
            return self._not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return self._not_found(request)
        return None

    @staticmethod
    def _not_found(request):
        from ehc.views import error_404

        return error_404(request)
