from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def mfa_required_in_production(app_configs, **kwargs):
    if not settings.MFA_REQUIRED:
        return [Error("MFA_REQUIRED is off: every user must use two-factor authentication", id="ehc.E001")]
    return []
