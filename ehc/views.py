import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import throttle
from .audit import audit_record
from .forms import NewPasswordForm, OtpCodeForm, PasswordResetRequestForm, SignInForm, SsoEmailForm
from .mfa import code_devices
from .models import AuditAction

BACKUP_CODE_COUNT = 10


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm

    @property
    def extra_email_context(self):
        # The link is built from SITE_URL, never from the request's Host header; read per request
        # so a changed setting takes effect without a restart.
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form):
        # The page says the same whether or not the address has an account, and whether or not
        # the request was throttled; the audit trail says which account a link went to, and
        # records a request for an unknown address without keeping the address.
        if not throttle.password_reset_allowed(self.request, form.cleaned_data["email"]):
            audit_record(
                request=self.request,
                user=None,
                action=AuditAction.SEND,
                summary="Password reset throttled: too many requests for the address or from this client, nothing sent",
            )
            return HttpResponseRedirect(self.get_success_url())
        accounts = list(form.get_users(form.cleaned_data["email"]))
        for account in accounts:
            audit_record(
                request=self.request,
                user=None,
                action=AuditAction.SEND,
                obj=account,
                summary=f"Password reset link sent for {account.username!r}",
            )
        if not accounts:
            audit_record(
                request=self.request,
                user=None,
                action=AuditAction.SEND,
                summary="Password reset asked for an address with no active account: nothing sent",
            )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            request=self.request,
            user=form.user,
            action=AuditAction.CHANGE,
            obj=form.user,
            summary="Password changed with a reset link",
        )
        return response


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("sso_form", SsoEmailForm())
        return context

    def post(self, request, *args, **kwargs):
        # Waits set by earlier failures (ehc.throttle): the password is not even tried, so a
        # guess made during a wait neither counts nor can succeed.
        username = str(request.POST.get("username", ""))[:150]
        wait = throttle.sign_in_wait(request, username)
        if wait:
            audit_record(
                request=request,
                user=None,
                action=AuditAction.LOGIN_FAILED,
                summary=f"Sign-in refused for {username!r}: wait {wait} seconds after failed sign-ins",
            )
            # Unbound, so that showing the form does not validate it (which would try the password).
            form = self.get_form_class()(request, initial={"username": username})
            form.cleaned_data = {}
            form.add_error(
                None,
                f"Too many failed sign-ins: wait {wait} second{'s' if wait != 1 else ''} and try again",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def mfa_setup(request):
    """Enrol an authenticator app: scan, then prove it works with one code."""
    if code_devices(request.user):
        return redirect("mfa_verify" if not request.user.is_verified() else "home")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _otp_login(request, device)
            codes = _new_backup_codes(request.user)
            request.session["fresh_backup_codes"] = codes
            audit_record(request=request, action=AuditAction.MFA, summary="Set up two-factor authentication")
            return redirect("mfa_backup_codes")
        form.add_error("code", "The code is not right. Check the time on your phone and enter the newest code")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/mfa_setup.html",
        {"form": form, "qr": _qr_svg(device.config_url), "secret": secret},
    )


def _new_backup_codes(user):
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@login_required
def mfa_backup_codes(request):
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect("mfa_verify")
        request.session["fresh_backup_codes"] = _new_backup_codes(request.user)
        audit_record(request=request, action=AuditAction.MFA, summary="Made new backup codes")
        return redirect("mfa_backup_codes")
    codes = request.session.pop("fresh_backup_codes", None)
    return render(request, "registration/mfa_backup_codes.html", {"codes": codes})


@login_required
def mfa_verify(request):
    if request.user.is_verified():
        return redirect("home")
    devices = code_devices(request.user)
    if not devices:
        return redirect("mfa_setup")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        # django-otp throttles each device after a wrong code (the wait doubles each time); a
        # throttled device is not even asked, so guessing during the wait gains nothing.
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        for device in allowed:
            # TOTPDevice refuses a code already used (its last_t); a static token is deleted on use.
            if device.verify_token(code):
                _otp_login(request, device)
                audit_record(request=request, action=AuditAction.MFA, summary="Verified two-factor code")
                return redirect(request.GET.get("next") if _safe_next(request) else "home")
        if allowed:
            audit_record(request=request, action=AuditAction.LOGIN_FAILED, summary="Wrong two-factor code")
            form.add_error("code", "The security code is not right, or was already used. Enter the newest code")
        else:
            audit_record(request=request, action=AuditAction.LOGIN_FAILED, summary="Two-factor code while throttled")
            form.add_error("code", "Too many wrong codes. Wait a minute, then enter the newest code")
    return render(request, "registration/mfa_verify.html", {"form": form})


def _otp_login(request, device):
    """Mark the session verified under a new session key: a key seen before the second factor
    (for example in a shared browser) must not become a verified one."""
    request.session.cycle_key()
    otp_login(request, device)


def admin_sign_in(request):
    """The admin has no sign-in form of its own: everyone signs in, and verifies, on our page."""
    url = reverse("login")
    if _safe_next(request):
        url += "?" + urlencode({"next": request.GET["next"]})
    return redirect(url)


def _safe_next(request):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next")
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def accessibility(request):
    return render(request, "ehc/accessibility.html")


def logout_view(request):
    """Signing out is a POST (CSRF-protected); a GET shows the confirmation button."""
    if request.method == "POST":
        from django.contrib.auth import logout

        logout(request)
        messages.success(request, "You have signed out")
        return redirect(settings.LOGIN_URL)
    return render(request, "registration/logout_confirm.html", {"action": reverse("logout")})


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)


def error_403(request, exception=None):
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    return render(request, "ehc/csrf_failure.html", status=403)
