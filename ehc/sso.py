"""Single sign-on with an organisation's OpenID Connect identity provider (issue 18;
docs/decisions/0028-single-sign-on.md).

The authorization code flow with PKCE, through Authlib's client: `sign_in_start` keeps the state,
nonce and code verifier in the session and gives the provider's address; `sign_in_finish` takes the
provider's answer once (the state is removed before anything else, so a replayed answer finds
none), exchanges the code and validates the ID token: signature against the provider's published
keys, issuer, audience, expiry, nonce, at_hash. Then the person: the token's email must be in one
of the organisation's domains and belong to exactly one active account of that organisation.
Accounts are never made here: a stranger gets a refusal and an audit entry.

The sign-in counts as two-factor only when the token's `amr` or `acr` claim says so in the terms the
organisation set; otherwise the product's own code step follows, as after a password.
"""

import hashlib
import logging
import os
import time
from dataclasses import dataclass

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from .audit import audit_record
from .models import AuditAction, SingleSignOn, SingleSignOnDomain, User

log = logging.getLogger(__name__)

PENDING_KEY = "sso_pending"
SCOPE = "openid email profile"
# Seconds of clock difference allowed between us and the provider on exp/iat.
LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10
# A provider that changes its endpoints is seen within this time; its keys are not cached (see _metadata).
DISCOVERY_CACHE_SECONDS = 10 * 60


class SsoUnavailable(Exception):
    """The organisation's sign-in cannot start: its secret is missing or its provider does not answer
    as configured. Said to the person in general terms; the detail goes to the log."""


class SsoRefused(Exception):
    """A sign-in refused. `summary` goes to the audit trail; `unknown_account` picks the page."""

    def __init__(self, summary, *, unknown_account=False, organisation=None):
        super().__init__(summary)
        self.summary = summary
        self.unknown_account = unknown_account
        self.organisation = organisation


@dataclass
class SsoSignIn:
    user: User
    mfa: bool
    organisation_name: str
    next_url: str = ""


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def sign_on_for_email(email: str):
    """The enabled single sign-on covering this address's domain, or None."""
    domain = email_domain(email)
    if not domain:
        return None
    row = (
        SingleSignOnDomain.objects.select_related("sign_on__organisation")
        .filter(domain__iexact=domain, sign_on__is_enabled=True, sign_on__organisation__is_active=True)
        .first()
    )
    return row.sign_on if row else None


def sign_on_domains(organisation_id) -> frozenset:
    """The email domains the organisation's own enabled sign-on covers (empty without one)."""
    return frozenset(
        domain.lower()
        for domain in SingleSignOnDomain.objects.filter(
            sign_on__organisation_id=organisation_id,
            sign_on__is_enabled=True,
            sign_on__organisation__is_active=True,
        ).values_list("domain", flat=True)
    )


def must_use_sign_on(user) -> bool:
    """A user whose own organisation signs in their email domain: no password sign-in for them,
    or leaving the council's directory would not end their access here."""
    config = sign_on_for_email(user.email or "")
    return config is not None and config.organisation_id == user.organisation_id


def client_secret(config: SingleSignOn) -> str:
    ref = config.client_secret_ref
    if ref.startswith("env:"):
        value = os.environ.get(ref[4:], "")
    elif ref.startswith("file:"):
        try:
            with open(ref[5:], encoding="utf-8") as handle:
                value = handle.read()
        except OSError as exc:
            raise SsoUnavailable(f"client secret file not readable: {exc.__class__.__name__}") from exc
    else:
        value = ""
    value = value.strip()
    if not value:
        raise SsoUnavailable(f"no client secret at {ref}")
    return value


def _client(config: SingleSignOn):
    # A registry per sign-in: the configuration is a database row an administrator may change at
    # any time, so nothing about it is kept in the process.
    return OAuth().register(
        name=f"org{config.organisation_id}",
        client_id=config.client_id,
        client_secret=client_secret(config),
        server_metadata_url=config.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": HTTP_TIMEOUT_SECONDS},
    )


def _discovery_key(config) -> str:
    return "sso:discovery:" + hashlib.sha256(config.issuer.encode()).hexdigest()[:32]


def _metadata(client, config):
    """The provider's discovery document, from the cache for DISCOVERY_CACHE_SECONDS: a sign-in
    needs it at the start and at the answer, and a morning's sign-ins need not each fetch it."""
    key = _discovery_key(config)
    try:
        cached = cache.get(key)
    except Exception:  # the cache is down: fetch it
        cached = None
    if cached and cached.get("issuer") == config.issuer:
        # Authlib fetches only when "_loaded_at" is missing; the cached copy has it.
        client.server_metadata.update(cached)
    try:
        metadata = client.load_server_metadata()
    except Exception as exc:  # network, TLS, not JSON: the provider cannot be used now
        raise SsoUnavailable(f"discovery failed: {exc.__class__.__name__}: {exc}") from exc
    # OpenID Connect Discovery 1.0 section 4.3: the document's issuer is the one configured, exactly.
    if metadata.get("issuer") != config.issuer:
        raise SsoUnavailable(f"discovery names issuer {metadata.get('issuer')!r}, not {config.issuer!r}")
    if not cached:
        # Without the provider's keys (Authlib adds "jwks" once fetched, and fetches again for an
        # unknown key id): rotated keys are picked up at once.
        document = {name: value for name, value in metadata.items() if name != "jwks"}
        try:
            cache.set(key, document, timeout=DISCOVERY_CACHE_SECONDS)
        except Exception:
            log.warning("sso: cache unavailable, discovery for %s not cached", config.issuer, exc_info=True)
    return metadata


def redirect_uri() -> str:
    # From SITE_URL, never the request's Host header: it is registered with each provider as is.
    return settings.SITE_URL + reverse("sso_callback")


def sign_in_start(request, config: SingleSignOn, email: str, next_url: str = "") -> str:
    """The provider's authorization address for this browser; its state, nonce and PKCE verifier
    kept in the session."""
    client = _client(config)
    _metadata(client, config)
    callback = redirect_uri()
    data = client.create_authorization_url(callback, login_hint=email)
    # Authlib adds the nonce for the openid scope; keep state, nonce and verifier for the answer.
    client.save_authorize_data(request, redirect_uri=callback, **data)
    request.session[PENDING_KEY] = {
        "organisation": config.organisation_id,
        "next": next_url,
        "started_at": int(time.time()),
    }
    return data["url"]


def _exchange(client, *, code, redirect_uri, code_verifier):
    """The token request (its own function: the tests swap what comes back, to play an attacker)."""
    return client.fetch_access_token(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)


def _validated_claims(client, config, token, nonce):
    if not token.get("id_token"):
        raise SsoRefused("the provider's answer had no ID token")
    try:
        return client.parse_id_token(
            token,
            nonce=nonce,
            # Authlib checks the audience only when told to (without this, only a missing azp betrays
            # a token issued to another client), so both are named.
            claims_options={
                "iss": {"essential": True, "values": [config.issuer]},
                "aud": {"essential": True, "values": [config.client_id]},
            },
            leeway=LEEWAY_SECONDS,
        )
    except Exception as exc:  # bad signature, issuer, audience, expiry, nonce, at_hash: all refusals
        raise SsoRefused(f"ID token refused: {exc.__class__.__name__}: {exc}"[:300]) from exc


def counts_as_mfa(config: SingleSignOn, claims) -> bool:
    # Authlib has already refused an amr that is not a list (OpenID Connect Core 1.0, section 2).
    amr = claims.get("amr") or []
    acr = claims.get("acr")
    return bool(config.amr_values & {str(value) for value in amr}) or (
        isinstance(acr, str) and acr in config.acr_values
    )


def sign_in_finish(request) -> SsoSignIn:
    """Check the provider's answer on the callback; the user it signs in, or SsoRefused."""
    pending = request.session.pop(PENDING_KEY, None)
    state = str(request.GET.get("state", ""))[:200]
    if not pending:
        raise SsoRefused("organisation sign-in answer with no sign-in under way (replayed or stale)")
    config = (
        SingleSignOn.objects.select_related("organisation")
        .filter(organisation_id=pending.get("organisation"), is_enabled=True)
        .first()
    )
    if config is None:
        raise SsoRefused("organisation sign-in answer for a sign-on since switched off")
    organisation = config.organisation
    try:
        client = _client(config)
        _metadata(client, config)
    except SsoUnavailable as exc:
        raise SsoRefused(f"organisation sign-in unavailable: {exc}", organisation=organisation) from exc
    # Taken out of the session before anything else: one answer per state, whatever follows.
    state_data = client.framework.get_state_data(request.session, state) if state else None
    if state:
        client.framework.clear_state_data(request.session, state)
    if not state_data:
        raise SsoRefused("organisation sign-in answer with an unknown or used state", organisation=organisation)
    if request.GET.get("error"):
        raise SsoRefused(f"the identity provider refused: {str(request.GET['error'])[:100]}", organisation=organisation)
    code = str(request.GET.get("code", ""))
    if not code:
        raise SsoRefused("organisation sign-in answer with no code", organisation=organisation)
    try:
        token = _exchange(
            client,
            code=code,
            redirect_uri=state_data["redirect_uri"],
            code_verifier=state_data.get("code_verifier"),
        )
    except Exception as exc:  # the provider refused the code, or could not be reached
        raise SsoRefused(f"code exchange failed: {exc.__class__.__name__}"[:300], organisation=organisation) from exc
    claims = _validated_claims(client, config, token, state_data.get("nonce"))
    user = _account_for(config, claims)
    return SsoSignIn(
        user=user,
        mfa=counts_as_mfa(config, claims),
        organisation_name=organisation.name,
        next_url=str(pending.get("next") or ""),
    )


def _account_for(config, claims):
    organisation = config.organisation
    email = str(claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is False:
        raise SsoRefused("the ID token had no verified email address", organisation=organisation)
    domains = {row.domain for row in config.domains.all()}
    if email_domain(email) not in domains:
        raise SsoRefused(f"{email!r} is not in a domain {organisation.name} signs in", organisation=organisation)
    accounts = list(User.objects.select_related("organisation").filter(email__iexact=email)[:2])
    if not accounts:
        raise SsoRefused(
            f"no account for {email!r}: accounts are made by invitation, not by signing in",
            unknown_account=True,
            organisation=organisation,
        )
    if len(accounts) > 1:
        raise SsoRefused(f"more than one account has {email!r}", organisation=organisation)
    user = accounts[0]
    if not user.is_active:
        raise SsoRefused(f"the account for {email!r} is deactivated", organisation=organisation)
    if user.organisation_id != config.organisation_id:
        raise SsoRefused(f"the account for {email!r} belongs to another organisation", organisation=organisation)
    return user


def record_refusal(request, refusal: SsoRefused):
    return audit_record(
        request=request,
        user=None,
        action=AuditAction.LOGIN_FAILED,
        obj=refusal.organisation,
        summary=f"Organisation sign-in refused: {refusal.summary}",
    )
