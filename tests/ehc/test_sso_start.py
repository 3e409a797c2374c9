"""Starting an organisation sign-in (ehc.sso, ehc.throttle): the provider's discovery document is
fetched once and cached, not on every sign-in; too many starts from one address or for one email
are refused with a message, as the password form's throttles do."""

import pytest
import requests
from django.core.cache import cache
from django.urls import reverse

from ehc import sso
from tests.ehc.test_sso import (  # noqa: F401 - fixtures used by name
    _callback,
    _provider_signs_in,
    _set_claims,
    _site,
    _start,
    council,
    idp,
    officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def discovery_fetches(monkeypatch):
    """The discovery requests made from here on (each one still made)."""
    made = []
    real = requests.Session.request

    def counted(self, method, url, *args, **kwargs):
        if "/.well-known/openid-configuration" in str(url):
            made.append(url)
        return real(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", counted)
    return made


def test_discovery_is_fetched_once_for_many_sign_ins(client, idp, officer, discovery_fetches):  # noqa: F811
    config = officer.organisation.single_sign_on
    cache.delete(sso._discovery_key(config))
    for _ in range(3):
        _set_claims(idp, officer.email, amr=["mfa"])
        response = _callback(client, _provider_signs_in(_start(client, officer.email), officer.email))
        assert response.status_code == 302
        client.logout()
    assert len(discovery_fetches) == 1
    cached = cache.get(sso._discovery_key(config))
    assert cached["issuer"] == idp and "jwks" not in cached


def test_a_cached_document_for_another_issuer_is_not_used(client, idp, officer, discovery_fetches):  # noqa: F811
    config = officer.organisation.single_sign_on
    cache.set(sso._discovery_key(config), {"issuer": "https://elsewhere.example", "_loaded_at": 1})
    _start(client, officer.email)
    assert len(discovery_fetches) == 1


def test_too_many_starts_for_one_address_are_refused_with_a_message(client, settings, officer):  # noqa: F811
    settings.SSO_START_PER_ADDRESS = 2
    for _ in range(2):
        _start(client, officer.email)
    response = client.post(reverse("sso_start"), {"sso-email": officer.email})
    assert response.status_code == 429
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page and "too many attempts to sign in with your organisation" in page
    assert "url" not in response.context or not response.context.get("url")


def test_too_many_starts_from_one_client_are_refused(client, settings, officer):  # noqa: F811
    settings.SSO_START_PER_IP = 3
    for number in range(3):
        response = client.post(reverse("sso_start"), {"sso-email": f"person{number}@{officer.email.split('@')[1]}"})
        assert response.status_code == 200
    response = client.post(reverse("sso_start"), {"sso-email": officer.email})
    assert response.status_code == 429
