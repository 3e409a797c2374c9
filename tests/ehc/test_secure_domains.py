"""The LA's secure email domains (decision 0016): where a letter may be attached, and who edits the list."""

import pytest
from django.test import Client
from django.urls import reverse

from ehc.demo import seed_organisations, seed_users
from ehc.models import LocalAuthoritySettings
from tests.factories import LocalAuthorityFactory, verified_login

pytestmark = pytest.mark.django_db


def test_by_default_nhs_net_and_the_las_own_domain_are_secure():
    la = LocalAuthorityFactory(name="Saltmarsh Council", short_name="LA-Salt")
    settings = LocalAuthoritySettings.for_la(la)
    assert settings.secure_email_domains == ["nhs.net"]
    assert settings.secure_domains() == {"nhs.net", "la-salt.example"}
    assert settings.is_secure_address("dco.office@NHS.net")
    assert settings.is_secure_address("send.support@la-salt.example")
    # Exact domains: neither a subdomain nor a look-alike is covered.
    for address in ("someone@devon.nhs.net", "someone@nhs.net.example", "director@health.example", "not an address"):
        assert not settings.is_secure_address(address), address
    settings.own_domain_is_secure = False
    assert settings.secure_domains() == {"nhs.net"}


def test_the_list_is_kept_normalised():
    la = LocalAuthorityFactory(name="Saltmarsh Council", short_name="LA-Salt")
    settings = LocalAuthoritySettings.for_la(la)
    settings.secure_email_domains = [" @NHS.net ", "nhs.net", "Council.Example.", ""]
    settings.clean()
    assert settings.secure_email_domains == ["nhs.net", "council.example"]


def test_a_platform_superuser_edits_the_list_and_the_approval_setting_in_the_admin():
    icb, la, provider, teams = seed_organisations()
    users = seed_users((icb, la, provider), teams)
    settings = LocalAuthoritySettings.for_la(la)
    path = reverse("admin:ehc_localauthoritysettings_change", args=[settings.pk])
    page = verified_login(Client(), users["platform.admin"]).get(path)
    assert page.status_code == 200
    html = page.content.decode()
    for field in ("secure_email_domains", "own_domain_is_secure", "letters_need_ad_approval"):
        assert f'name="{field}"' in html, field
    assert 'value="nhs.net"' in html
    # The council's own people do not reach it (issue 16 gives councils their own settings pages).
    for username in ("admin", "ad.education", "business.support"):
        response = verified_login(Client(), users[username]).get(path)
        assert response.status_code in (302, 404) and not response.content.count(b"secure_email_domains")
