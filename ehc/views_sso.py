"""Signing in with an organisation's own account (ehc.sso): the email step and the provider's answer."""

import logging

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ehc.text import possessive

from .audit import audit_record
from .forms import SignInForm, SsoEmailForm
from .invitations import invitation_used_by_sign_on
from .models import AuditAction, IdentityProviderDevice
from .sso import SsoRefused, SsoUnavailable, record_refusal, sign_in_finish, sign_in_start, sign_on_for_email
from .throttle import sso_start_allowed
from .views import _otp_login

log = logging.getLogger(__name__)


def _login_page(request, sso_form, status):
    context = {"form": SignInForm(request), "sso_form": sso_form, "next": _next(request)}
    return render(request, "registration/login.html", context, status=status)


def _next(request):
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else ""


@require_POST
def sso_start(request):
    """The work email address decides: its organisation's provider, or back to the password form."""
    form = SsoEmailForm(request.POST)
    if not form.is_valid():
        return _login_page(request, form, 200)
    email = form.cleaned_data["email"]
    if not sso_start_allowed(request, email):
        form.add_error(
            "email",
            "There have been too many attempts to sign in with your organisation from here. "
            "Wait 15 minutes, then try again",
        )
        return _login_page(request, form, 429)
    config = sign_on_for_email(email)
    if config is None:
        form.add_error(
            "email",
            "Your organisation does not sign in with its own account here. Sign in with your username and password",
        )
        return _login_page(request, form, 200)
    try:
        url = sign_in_start(request, config, email, _next(request))
    except SsoUnavailable as exc:
        log.warning("sso: %s cannot start: %s", config.organisation, exc)
        audit_record(
            request=request,
            user=None,
            action=AuditAction.LOGIN_FAILED,
            obj=config.organisation,
            summary=f"Organisation sign-in unavailable: {exc}"[:500],
        )
        form.add_error(
            "email",
            f"{possessive(config.organisation.name)} sign-in service cannot be reached. Try again in a few minutes, "
            "or tell your administrator if it goes on",
        )
        return _login_page(request, form, 503)
    # A page with a link rather than a redirect: the sign-in page's Content-Security-Policy allows
    # forms to submit only to this site, and browsers apply that to a form's redirects as well.
    return render(request, "registration/sso_continue.html", {"url": url, "organisation": config.organisation})


@require_GET
def sso_callback(request):
    try:
        result = sign_in_finish(request)
    except SsoRefused as refusal:
        record_refusal(request, refusal)
        template = "registration/sso_no_account.html" if refusal.unknown_account else "registration/sso_refused.html"
        return render(request, template, {"organisation": refusal.organisation}, status=403)
    user = result.user
    invitation_used_by_sign_on(user)
    # Read by ehc.signals for the audit entry's wording.
    user.signed_in_with = result.organisation_name
    login(request, user, backend="ehc.auth.ModelBackend")
    if result.mfa:
        device, _ = IdentityProviderDevice.objects.get_or_create(
            user=user, name="Organisation sign-in", defaults={"confirmed": True}
        )
        _otp_login(request, device)
        audit_record(
            request=request,
            action=AuditAction.MFA,
            summary=f"Two-factor authentication done by {possessive(result.organisation_name)} sign-in (amr/acr claim)",
        )
    # Without the claim, ehc.middleware.RequireVerifiedMiddleware asks for the product's own code next.
    # The address was checked as this site's own when the sign-in started (_next).
    return redirect(result.next_url or "home")
