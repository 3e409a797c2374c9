"""The administration's front pages: administrators of each kind reach their own, nobody else does,
and the settings history shows one organisation's changes, before and after, escaped."""

import pytest
from django.test import Client
from django.urls import reverse

from ehc.audit import changes_between, settings_change_record
from ehc.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["la", "provider", "icb"])
def test_each_kind_of_administrator_reaches_the_administration_from_home(our_admins, login, kind):
    admin = getattr(our_admins, kind)
    client = login(admin)
    home = client.get(reverse("home"))
    assert home.status_code == 200 and f'href="{reverse("administration:index")}"' in home.content.decode()
    page = client.get(reverse("administration:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Administration: {admin.organisation}" in body
    assert f'href="{reverse("administration:history")}"' in body
    # The service navigation leads there too; the Django admin is the platform operator's only.
    assert ">Administration</a>" in body and reverse("admin:index") not in body


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "spoc", "head_of_service", "dco"])
def test_case_workers_get_404(ours, login, who):
    client = login(getattr(ours, who))
    for name in ("administration:index", "administration:history"):
        assert client.get(reverse(name)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(reverse("administration:index"))
    assert response.status_code == 302 and reverse("login") in response.headers["Location"]


def test_history_lists_only_the_administrators_own_organisation_before_and_after(
    ours, theirs, our_admins, their_admins, login, rf
):
    request = rf.post("/")
    request.user = our_admins.la
    settings_change_record(
        request=request,
        organisation=ours.la,
        summary="Changed the business support mailbox",
        changes=changes_between(
            {"Business support email": "old@council.example"}, {"Business support email": "o'neill@council.example"}
        ),
    )
    request.user = their_admins.la
    settings_change_record(
        request=request, organisation=theirs.la, summary="Changed their settings", changes={"Letter footer": ["", "x"]}
    )
    page = login(our_admins.la).get(reverse("administration:history")).content.decode()
    assert "Changed the business support mailbox" in page
    assert "old@council.example" in page and "o&#x27;neill@council.example" in page
    assert "Changed their settings" not in page
    # The provider's administrator sees the provider's history, not the LA's.
    assert (
        "Changed the business support mailbox"
        not in login(our_admins.provider).get(reverse("administration:history")).content.decode()
    )
    assert AuditEvent.objects.filter(settings_of=ours.la).count() == 1


def test_changes_between_keeps_only_what_changed():
    changed = changes_between({"A": "1", "B": "2"}, {"A": "1", "B": "3", "C": "new"})
    assert changed == {"B": ["2", "3"], "C": [None, "new"]}
