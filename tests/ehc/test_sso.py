"""Single sign-on end to end (issue 18) against a real OpenID Connect provider, oidc-provider-mock,
served on a free port in a thread of the test process: discovery, the authorization code flow with
PKCE, signed ID tokens and the provider's published keys are all real. Where a case plays an
attacker, the token our server receives is swapped for another the same provider really issued
(for another client, another nonce, another issuer name) or for a real one altered in transit."""

import base64
import datetime
import json
import re

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from oidc_provider_mock import run_server_in_thread

from ehc import sso
from ehc.models import AuditAction, AuditEvent, Role, SingleSignOn, SingleSignOnDomain, User
from tests.factories import LocalAuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "ehc-test-client"
DOMAIN = "sso-council.example"
OTHER_DOMAIN = "other-council.example"
SITE = "http://testserver"


@pytest.fixture(scope="module")
def idp():
    with run_server_in_thread() as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def expiring_idp():
    # A real provider whose ID tokens expire ten minutes before they are issued: past our leeway.
    with run_server_in_thread(access_token_max_age=datetime.timedelta(minutes=-10)) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(autouse=True)
def _site(settings, monkeypatch):
    settings.SITE_URL = SITE
    monkeypatch.setenv("OIDC_SECRET_SSO_TEST", "not-a-real-secret")


def _sign_on(organisation, issuer, domain=DOMAIN):
    config = SingleSignOn.objects.create(
        organisation=organisation,
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret_ref="env:OIDC_SECRET_SSO_TEST",
        mfa_amr_values="mfa, hwk",
        mfa_acr_values="AAL3_ANY",
    )
    SingleSignOnDomain.objects.create(sign_on=config, domain=domain)
    return config


@pytest.fixture
def council(idp):
    la = LocalAuthorityFactory(name="Council with single sign-on", short_name="SSO")
    _sign_on(la, idp)
    return la


@pytest.fixture
def officer(council):
    return UserFactory(
        username="o.neill", email=f"o.neill@{DOMAIN}", organisation=council, roles=[Role.CASE_OFFICER]
    )


def _set_claims(idp, sub, **claims):
    claims = {"email": sub, "email_verified": True, **claims}
    response = requests.put(f"{idp}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204


def _start(client, email):
    response = client.post(reverse("sso_start"), {"sso-email": email})
    assert response.status_code == 200, response.content
    return response.context["url"]


def _provider_signs_in(authorize_url, sub):
    """The person at the provider's page choosing who they are: the provider redirects to our callback."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def _callback(client, location):
    assert location.startswith(SITE + reverse("sso_callback")), location
    return client.get(location.removeprefix(SITE))


def _sign_in(client, idp, email, **claims):
    _set_claims(idp, email, **claims)
    location = _provider_signs_in(_start(client, email), email)
    return _callback(client, location), location


def _home(client):
    return client.get(reverse("home"))


def _refusals(text):
    return AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, summary__contains=text)


def _assert_refused(response, client):
    assert response.status_code == 403
    assert "You could not be signed in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _home(client).headers["Location"].startswith(reverse("login"))


# --- success, and the MFA-by-claim rule ---


def test_the_request_to_the_provider_carries_state_nonce_and_pkce(client, idp, officer):
    url = _start(client, officer.email)
    for parameter in ("state=", "nonce=", "code_challenge=", "code_challenge_method=S256", f"client_id={CLIENT_ID}"):
        assert parameter in url
    assert url.startswith(idp + "/oauth2/authorize?")


def test_sign_in_with_an_mfa_amr_claim_needs_no_code_of_ours(client, idp, officer):
    response, _ = _sign_in(client, idp, officer.email, amr=["pwd", "mfa"])
    assert response.status_code == 302 and response.headers["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(officer.pk)
    # Verified: the case officer's home page, not the code page.
    assert "As a SEND case officer" in _home(client).content.decode()
    assert AuditEvent.objects.filter(
        actor=officer, action=AuditAction.LOGIN, summary="Signed in with Council with single sign-on's own account"
    ).exists()
    assert AuditEvent.objects.filter(actor=officer, action=AuditAction.MFA, summary__contains="amr/acr").exists()


def test_an_acr_value_the_organisation_listed_counts_as_mfa(client, idp, officer):
    _sign_in(client, idp, officer.email, acr="AAL3_ANY")
    assert "As a SEND case officer" in _home(client).content.decode()


@pytest.mark.parametrize("claims", [{}, {"amr": ["pwd"]}, {"acr": "AAL1"}, {"amr": ["pwd", "otp"], "acr": "AAL3"}])
def test_without_the_claim_our_own_code_is_asked_for(client, idp, officer, claims):
    response, _ = _sign_in(client, idp, officer.email, **claims)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(officer.pk)
    # No authenticator yet: set one up; nothing else is served.
    assert _home(client).headers["Location"] == reverse("mfa_setup")
    assert client.get(reverse("assessments:caseload")).headers["Location"] == reverse("mfa_setup")
    TOTPDevice.objects.create(user=officer, name="App", confirmed=True)
    assert _home(client).headers["Location"] == reverse("mfa_verify")
    assert not AuditEvent.objects.filter(actor=officer, action=AuditAction.MFA).exists()


def test_the_identity_provider_marker_is_not_a_code_device(client, idp, officer):
    """After an MFA sign-in the marker exists; a later sign-in without the claim still asks for a code."""
    _sign_in(client, idp, officer.email, amr=["mfa"])
    other = Client()
    _sign_in(other, idp, officer.email, amr=["pwd"])
    assert _home(other).headers["Location"] == reverse("mfa_setup")
    assert other.get(reverse("mfa_setup")).status_code == 200


def test_next_address_is_kept_through_the_provider(client, idp, officer):
    _set_claims(idp, officer.email, amr=["mfa"])
    target = reverse("assessments:caseload") + "?page=2"
    response = client.post(reverse("sso_start"), {"sso-email": officer.email, "next": target})
    location = _provider_signs_in(response.context["url"], officer.email)
    assert _callback(client, location).headers["Location"] == target


# --- refusals ---


def test_an_unknown_email_gets_a_clear_page_and_an_audit_entry_and_no_account(client, idp, council):
    email = f"stranger@{DOMAIN}"
    response, _ = _sign_in(client, idp, email, amr=["mfa"])
    assert response.status_code == 403
    assert "You do not have an account here" in response.content.decode()
    assert not User.objects.filter(email__iexact=email).exists()
    assert _refusals(f"no account for {email!r}").count() == 1
    assert "_auth_user_id" not in client.session


def test_a_replayed_answer_is_refused(client, idp, officer):
    response, location = _sign_in(client, idp, officer.email, amr=["mfa"])
    assert response.status_code == 302
    # The same answer again: in the same browser, and in another (as someone who copied the address).
    assert _callback(client, location).status_code == 403
    attacker = Client()
    _assert_refused(_callback(attacker, location), attacker)
    assert _refusals("replayed or stale").count() == 2


def test_an_answer_with_another_state_is_refused(client, idp, officer):
    _set_claims(idp, officer.email, amr=["mfa"])
    location = _provider_signs_in(_start(client, officer.email), officer.email)
    forged = re.sub(r"state=[^&]+", "state=forged", location)
    _assert_refused(_callback(client, forged), client)
    assert _refusals("unknown or used state").count() == 1
    # The genuine answer cannot be used after that either: the sign-in under way was ended.
    _assert_refused(_callback(client, location), client)


def _token_from(idp_url, *, client_id, nonce, sub, code_verifier=None):
    """A token the provider really issues, at `idp_url`, to `client_id` for `sub` with `nonce`."""
    params = {
        "client_id": client_id,
        "response_type": "code",
        "scope": sso.SCOPE,
        "redirect_uri": SITE + reverse("sso_callback"),
        "state": "attacker-state",
        "nonce": nonce,
    }
    authorize_url = requests.Request("GET", f"{idp_url}/oauth2/authorize", params=params).prepare().url
    location = _provider_signs_in(authorize_url, sub)
    code = re.search(r"code=([^&]+)", location).group(1)
    response = requests.post(
        f"{idp_url}/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": params["redirect_uri"]},
        auth=(client_id, "any-secret"),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _swap_token(monkeypatch, make):
    """Our server's token request goes to the provider as ever; what our server gets is make(real)."""
    real_exchange = sso._exchange
    monkeypatch.setattr(sso, "_exchange", lambda client, **kwargs: make(real_exchange(client, **kwargs)))


def _nonce(client):
    keys = [key for key in client.session.keys() if key.startswith("_state_")]
    assert len(keys) == 1
    return client.session[keys[0]]["data"]["nonce"]


def _attack(client, idp, officer, monkeypatch, make):
    _set_claims(idp, officer.email, amr=["mfa"])
    location = _provider_signs_in(_start(client, officer.email), officer.email)
    nonce = _nonce(client)
    _swap_token(monkeypatch, lambda token: make(token, nonce))
    return _callback(client, location)


def test_a_token_for_another_audience_is_refused(client, idp, officer, monkeypatch):
    def other_client(token, nonce):
        return _token_from(idp, client_id="another-service", nonce=nonce, sub=officer.email)

    _assert_refused(_attack(client, idp, officer, monkeypatch, other_client), client)
    assert _refusals("ID token refused").filter(summary__icontains="aud").count() == 1


def test_a_token_from_another_issuer_is_refused(client, idp, officer, monkeypatch):
    # The same provider and keys under another name: its tokens say iss=http://localhost:PORT.
    other_name = idp.replace("127.0.0.1", "localhost")

    def other_issuer(token, nonce):
        return _token_from(other_name, client_id=CLIENT_ID, nonce=nonce, sub=officer.email)

    _assert_refused(_attack(client, idp, officer, monkeypatch, other_issuer), client)
    assert _refusals("ID token refused").filter(summary__icontains="iss").count() == 1


def test_a_token_with_another_nonce_is_refused(client, idp, officer, monkeypatch):
    def other_nonce(token, nonce):
        return _token_from(idp, client_id=CLIENT_ID, nonce="not-" + nonce, sub=officer.email)

    _assert_refused(_attack(client, idp, officer, monkeypatch, other_nonce), client)
    assert _refusals("ID token refused").filter(summary__icontains="nonce").count() == 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_tampered_id_token_is_refused(client, idp, officer, monkeypatch):
    colleague = UserFactory(email=f"director@{DOMAIN}", organisation=officer.organisation, roles=[Role.SEND_MANAGER])

    def tampered(token, nonce):
        header, payload, signature = token["id_token"].split(".")
        claims = json.loads(_unb64(payload))
        assert claims["email"] == officer.email  # the real token, as issued
        claims["email"] = colleague.email
        return {**token, "id_token": ".".join([header, _b64(json.dumps(claims).encode()), signature])}

    _assert_refused(_attack(client, idp, officer, monkeypatch, tampered), client)
    assert _refusals("ID token refused").count() == 1


def test_an_expired_token_is_refused(client, expiring_idp):
    la = LocalAuthorityFactory(name="Council of expired tokens")
    _sign_on(la, expiring_idp, domain="expired-council.example")
    user = UserFactory(email="officer@expired-council.example", organisation=la, roles=[Role.CASE_OFFICER])
    response, _ = _sign_in(client, expiring_idp, user.email, amr=["mfa"])
    _assert_refused(response, client)
    assert _refusals("ID token refused").filter(summary__icontains="expired").count() == 1


def test_another_organisations_address_is_refused(client, idp, officer, council):
    """The council's provider vouching for an address in another council's domain, and for an address
    in its own domain whose account belongs to another organisation: neither signs in."""
    other = LocalAuthorityFactory(name="Other council")
    theirs = UserFactory(email=f"officer@{OTHER_DOMAIN}", organisation=other, roles=[Role.CASE_OFFICER])
    moved = UserFactory(email=f"moved@{DOMAIN}", organisation=other, roles=[Role.CASE_OFFICER])

    _set_claims(idp, officer.email, amr=["mfa"])
    # The provider says the person is `theirs` (for example an address the IdP lets users set).
    _set_claims(idp, "who-am-i", email=theirs.email, amr=["mfa"])
    location = _provider_signs_in(_start(client, officer.email), "who-am-i")
    _assert_refused(_callback(client, location), client)
    assert _refusals(f"{theirs.email!r} is not in a domain").count() == 1

    response, _ = _sign_in(client, idp, moved.email, amr=["mfa"])
    _assert_refused(response, client)
    assert _refusals("belongs to another organisation").count() == 1


def test_a_deactivated_account_is_refused(client, idp, officer):
    officer.is_active = False
    officer.save()
    response, _ = _sign_in(client, idp, officer.email, amr=["mfa"])
    _assert_refused(response, client)
    assert _refusals("deactivated").count() == 1


def test_the_provider_saying_no_is_refused(client, idp, officer):
    _set_claims(idp, officer.email)
    authorize_url = _start(client, officer.email)
    response = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=5)
    location = response.headers["Location"]
    assert "error=access_denied" in location
    # This provider leaves out the state on a refusal, which our callback refuses as unknown; RFC 6749
    # (4.1.2.1) has the provider send it back, as a real one does: then the error itself is recorded.
    state = re.search(r"[?&]state=([^&]+)", authorize_url).group(1)
    _assert_refused(_callback(client, f"{location}&state={state}"), client)
    assert _refusals("the identity provider refused: access_denied").count() == 1


# --- the sign-in page ---


def test_an_address_without_single_sign_on_goes_back_to_the_password_form(client, council):
    response = client.post(reverse("sso_start"), {"sso-email": "someone@elsewhere.example"})
    assert response.status_code == 200
    assert "does not sign in with its own account here" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_bad_email_gets_the_error_summary(client):
    response = client.post(reverse("sso_start"), {"sso-email": "not an address"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert 'href="#id_sso-email"' in response.content.decode()


def test_a_missing_secret_says_the_service_cannot_be_reached(client, council, monkeypatch):
    monkeypatch.delenv("OIDC_SECRET_SSO_TEST")
    response = client.post(reverse("sso_start"), {"sso-email": f"anyone@{DOMAIN}"})
    assert response.status_code == 503
    assert "sign-in service cannot be reached" in response.content.decode()
    assert _refusals("no client secret at env:OIDC_SECRET_SSO_TEST").count() == 1


def test_the_secret_can_come_from_a_file(council, tmp_path, monkeypatch):
    secret = tmp_path / "oidc-secret"
    secret.write_text("from-a-file\n")
    config = council.single_sign_on
    config.client_secret_ref = f"file:{secret}"
    assert sso.client_secret(config) == "from-a-file"


def test_a_user_of_an_organisation_with_single_sign_on_cannot_use_a_password(client, officer):
    officer.set_password("a-long-enough-password")
    officer.save()
    response = client.post(reverse("login"), {"username": officer.username, "password": "a-long-enough-password"})
    assert response.status_code == 200
    assert "signs you in with its own account" in " ".join(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(actor=officer, summary__contains="Password sign-in refused").exists()
    # A wrong password gets the usual answer (the rule is not revealed without the password).
    response = client.post(reverse("login"), {"username": officer.username, "password": "wrong-password-here"})
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Enter a correct username and password" in errors and "its own account" not in errors


def test_a_user_outside_the_sso_domains_still_uses_the_password(client, council):
    user = UserFactory(email="contractor@elsewhere.example", organisation=council, roles=[Role.CASE_OFFICER])
    user.set_password("a-long-enough-password")
    user.save()
    response = client.post(reverse("login"), {"username": user.username, "password": "a-long-enough-password"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_domain_belongs_to_one_organisation_only(council):
    from django.db import IntegrityError, transaction

    other = LocalAuthorityFactory(name="Council claiming the same domain")
    config = SingleSignOn.objects.create(
        organisation=other, issuer="https://login.example/tenant/v2.0", client_id="x", client_secret_ref="env:X"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SingleSignOnDomain.objects.create(sign_on=config, domain=DOMAIN.upper())


@pytest.mark.parametrize(
    "ref, valid",
    [
        ("env:OIDC_SECRET_TORBAY", True),
        ("file:/run/secrets/oidc_torbay", True),
        ("a-secret-pasted-here", False),
        ("env:lower_case", False),
        ("file:relative/path", False),
        ("", False),
    ],
)
def test_only_where_the_secret_is_kept_can_be_stored(ref, valid):
    from django.core.exceptions import ValidationError

    from ehc.models.sso import validate_secret_ref

    if valid:
        validate_secret_ref(ref)
    else:
        with pytest.raises(ValidationError):
            validate_secret_ref(ref)


@pytest.mark.parametrize(
    "issuer, valid",
    [("https://login.example/t/v2.0", True), ("http://127.0.0.1:8080", True), ("http://idp.example", False)],
)
def test_the_issuer_must_be_https_except_on_this_machine(council, issuer, valid):
    from django.core.exceptions import ValidationError

    config = SingleSignOn(organisation=council, issuer=issuer, client_id="x", client_secret_ref="env:X")
    if valid:
        config.clean()
    else:
        with pytest.raises(ValidationError):
            config.clean()


def test_the_platform_operator_sets_it_up_in_the_admin(client, idp):
    from tests.factories import verified_login

    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    verified_login(client, operator)
    la = LocalAuthorityFactory(name="Council set up in the admin")
    url = reverse("admin:ehc_singlesignon_add")
    form = {
        "organisation": la.pk,
        "is_enabled": "on",
        "issuer": idp,
        "client_id": CLIENT_ID,
        "client_secret_ref": "a-secret-pasted-here",
        "mfa_amr_values": "mfa",
        "mfa_acr_values": "",
        "domains-TOTAL_FORMS": "1",
        "domains-INITIAL_FORMS": "0",
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
        "domains-0-domain": "@Admin-Council.example",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and not SingleSignOn.objects.filter(organisation=la).exists()
    response = client.post(url, {**form, "client_secret_ref": "env:OIDC_SECRET_SSO_TEST"})
    assert response.status_code == 302, response.context["adminform"].errors
    config = SingleSignOn.objects.get(organisation=la)
    assert [row.domain for row in config.domains.all()] == ["admin-council.example"]
    assert sso.sign_on_for_email("someone@ADMIN-council.example") == config
