from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def mfa_required_in_production(app_configs, **kwargs):
    if not settings.MFA_REQUIRED:
        return [Error("MFA_REQUIRED is off: every user must use two-factor authentication", id="ehc.E001")]
    return []


@register(Tags.security)
def security_settings(app_configs, **kwargs):
    """Settings other promises depend on (docs/security.md), so an edit that breaks one fails
    `manage.py check` instead of passing quietly."""
    errors = []
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    for name in ("script-src", "style-src", "default-src"):
        sources = directives.get(name)
        if not sources or any(s in ("'unsafe-inline'", "'unsafe-eval'", "*") for s in sources):
            errors.append(Error(f"The Content Security Policy {name} must be strict ('self')", id="ehc.E002"))
    if directives.get("frame-ancestors") != ["'none'"]:
        errors.append(Error("The Content Security Policy must deny framing", id="ehc.E002"))
    if getattr(settings, "AXES_HANDLER", "") != "axes.handlers.database.AxesDatabaseHandler":
        errors.append(Error("django-axes must use its database handler", id="ehc.E003"))
    # Deactivating a user deletes their sessions from the database and the cache (ehc.signals).
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        errors.append(Error("Sessions must be stored in the database", id="ehc.E004"))
    return errors


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
MAIL_CATCHER_HOSTS = {"mailpit", "localhost", "127.0.0.1", "::1"}


@register(Tags.security)
def smtp_uses_tls(app_configs, **kwargs):
    """Production sends email only over TLS. An Error here stops `manage.py migrate`, and so every
    process that waits for it in docker-compose.yml; the deploy check reports it too."""
    if settings.DEBUG or settings.EMAIL_BACKEND != SMTP_BACKEND:
        return []
    if getattr(settings, "EMAIL_USE_TLS", False) or getattr(settings, "EMAIL_USE_SSL", False):
        return []
    # The opt-out holds only for a mail catcher on the host or in the compose stack: pointing
    # EMAIL_HOST at a real relay brings the error back even if the variable was left on.
    if settings.EMAIL_ALLOW_PLAINTEXT_FOR_MAIL_CATCHER and settings.EMAIL_HOST in MAIL_CATCHER_HOSTS:
        return [
            Warning(
                "Email is sent over SMTP without TLS because EMAIL_ALLOW_PLAINTEXT_FOR_MAIL_CATCHER is on: "
                "only for a local mail catcher, never a real relay",
                id="ehc.W005",
            )
        ]
    return [
        Error(
            "Email would be sent over SMTP without TLS: set EMAIL_USE_TLS=1 (STARTTLS, usually port 587) "
            "or EMAIL_USE_SSL=1 (port 465)",
            id="ehc.E005",
        )
    ]


@register(Tags.security)
def notify_configured(app_configs, **kwargs):
    """EMAIL_SENDER=notify needs an API key and the generic template (README, production); an Error
    stops `manage.py migrate`, so a stack that could not send stops there, not at its first email."""
    if getattr(settings, "EMAIL_SENDER", "smtp") != "notify":
        return []
    missing = [name for name in ("NOTIFY_API_KEY", "NOTIFY_TEMPLATE_ID") if not getattr(settings, name, "")]
    if missing:
        return [Error(f"EMAIL_SENDER=notify needs {' and '.join(missing)}", id="ehc.E026")]
    return []
