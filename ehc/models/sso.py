"""An organisation's single sign-on (OpenID Connect) and the marker of a second factor its identity
provider vouched for (ehc.sso; docs/decisions/0028-single-sign-on.md)."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django_otp.models import Device

from .base import TimeStamped
from .organisations import Organisation

# Where the client secret is read from: never the database. `env:NAME` reads the environment
# variable NAME (for example OIDC_SECRET_TORBAY), `file:/path` a secrets file (a Docker or
# Kubernetes secret mounted read-only).
SECRET_REF = re.compile(r"^(env:[A-Z][A-Z0-9_]{0,99}|file:/\S{1,290})$")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def validate_secret_ref(value):
    if not SECRET_REF.match(value or ""):
        raise ValidationError(
            "Enter where the client secret is kept, as env:VARIABLE_NAME (capitals, digits and _) or "
            "file:/absolute/path, never the secret itself"
        )


def _split(values: str) -> set[str]:
    return {value.strip() for value in values.replace(",", " ").split() if value.strip()}


class SingleSignOn(TimeStamped):
    """One organisation's OpenID Connect identity provider. Its users whose email domain is listed
    sign in there and nowhere else; everyone else signs in with a password and TOTP."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="single_sign_on")
    is_enabled = models.BooleanField(default=True)
    issuer = models.URLField(
        max_length=300,
        help_text="The issuer exactly as the provider's discovery document states it (https://...)",
    )
    client_id = models.CharField(max_length=200)
    client_secret_ref = models.CharField(
        "where the client secret is kept",
        max_length=300,
        validators=[validate_secret_ref],
        help_text="env:OIDC_SECRET_ORGCODE or file:/run/secrets/name (the secret itself is never stored here)",
    )
    mfa_amr_values = models.CharField(
        "amr values that count as MFA",
        max_length=300,
        blank=True,
        help_text="Separated by commas, for example: mfa. Empty: no amr value counts",
    )
    mfa_acr_values = models.CharField(
        "acr values that count as MFA",
        max_length=300,
        blank=True,
        help_text="Separated by commas. Empty: no acr value counts. Neither: the product asks for its own code",
    )

    class Meta:
        verbose_name = "single sign-on"
        verbose_name_plural = "single sign-on"

    def __str__(self):
        return f"Single sign-on for {self.organisation}"

    def clean(self):
        parts = urlsplit(self.issuer or "")
        # Plain http only for a provider on this machine (development and the tests' provider).
        if parts.scheme != "https" and parts.hostname not in LOCAL_HOSTS:
            raise ValidationError({"issuer": "The issuer must be an https:// address"})
        if parts.query or parts.fragment:
            raise ValidationError({"issuer": "The issuer has no query or fragment"})

    @property
    def amr_values(self) -> set[str]:
        return _split(self.mfa_amr_values)

    @property
    def acr_values(self) -> set[str]:
        return _split(self.mfa_acr_values)


class SingleSignOnDomain(models.Model):
    """An email domain whose users sign in with the organisation's identity provider. One domain,
    one organisation: the database refuses a second claim on it."""

    sign_on = models.ForeignKey(SingleSignOn, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, help_text="For example council.gov.uk (no @)")

    class Meta:
        ordering = ["domain"]
        constraints = [models.UniqueConstraint(Lower("domain"), name="sso_domain_unique")]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = (self.domain or "").strip().lower().lstrip("@")
        super().save(*args, **kwargs)

    def clean(self):
        self.domain = (self.domain or "").strip().lower().lstrip("@")
        if not DOMAIN.match(self.domain):
            raise ValidationError({"domain": "Enter a domain like council.gov.uk"})


class IdentityProviderDevice(Device):
    """Stands for "the organisation's identity provider did the second factor" (its amr/acr claim),
    so that django-otp marks the session verified (ehc.sso). It takes no code: verify_token is
    always False, and ehc.mfa.code_devices leaves it out of the code pages."""

    class Meta:
        verbose_name = "identity provider second factor"

    def verify_token(self, token):
        return False
