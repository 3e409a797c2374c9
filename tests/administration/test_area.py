"""An ICB's administrator lists its area's councils and sets each one's DCO/DMO office mailbox; the
change shows on both settings histories; the council's administrator reads it; nobody else reaches
these pages and another area's council is a 404."""

import pytest
from django.urls import reverse

from ehc.models import AuditEvent, LocalAuthoritySettings
from tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db


def mailbox(la):
    return LocalAuthoritySettings.for_la(la).dco_office_email


def history(org):
    return list(AuditEvent.objects.filter(settings_of=org).order_by("id"))


def test_the_icb_administrator_lists_its_own_areas_councils_only(ours, theirs, our_admins, login):
    LocalAuthorityFactory(name="Council O'Neill Bay", icb=ours.icb)
    LocalAuthoritySettings.objects.filter(local_authority=ours.la).update(dco_office_email="dco@icb-ours.example")
    page = login(our_admins.icb).get(reverse("administration:area")).content.decode()
    assert "Council Ours" in page and "Council O&#x27;Neill Bay" in page and "Council Theirs" not in page
    assert "dco@icb-ours.example" in page and "Provider Ours" in page
    assert reverse("administration:area_dco_office", args=[ours.la.pk]) in page


def test_changing_the_mailbox_is_recorded_on_the_icbs_and_the_councils_history(ours, our_admins, login):
    client = login(our_admins.icb)
    url = reverse("administration:area_dco_office", args=[ours.la.pk])
    before = mailbox(ours.la)
    response = client.post(url, {"dco_office_email": "o'neill.dco@icb-ours.example"})
    assert response.status_code == 302 and response.headers["Location"] == reverse("administration:area")
    assert mailbox(ours.la) == "o'neill.dco@icb-ours.example"
    (icb_event,) = history(ours.icb)
    (la_event,) = history(ours.la)
    assert icb_event.summary == "Changed the DCO/DMO office mailbox of Council Ours"
    assert la_event.summary == "ICB Ours' administrator changed the DCO/DMO office mailbox"
    assert icb_event.changes == la_event.changes == {"DCO/DMO office mailbox": [before, "o'neill.dco@icb-ours.example"]}
    # The same again changes nothing and records nothing.
    assert client.post(url, {"dco_office_email": "o'neill.dco@icb-ours.example"}).status_code == 302
    assert len(history(ours.icb)) == len(history(ours.la)) == 1
    # The council's administrator reads it, escaped, and its history shows who changed it.
    la_admin = login(our_admins.la)
    page = la_admin.get(reverse("administration:la_dco_office")).content.decode()
    assert "o&#x27;neill.dco@icb-ours.example" in page and "ICB Ours" in page
    assert "<form" not in page.split('id="main-content"')[-1]
    assert "ICB Ours&#x27; administrator changed" in la_admin.get(reverse("administration:history")).content.decode()


@pytest.mark.parametrize(
    "value, message",
    [("", "Enter DCO/DMO office mailbox"), ("dco at icb", "Enter an email address in the correct format")],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(ours, our_admins, login, value, message):
    before = mailbox(ours.la)
    response = login(our_admins.icb).post(
        reverse("administration:area_dco_office", args=[ours.la.pk]), {"dco_office_email": value}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert mailbox(ours.la) == before and history(ours.icb) == [] and history(ours.la) == []


def test_another_areas_council_is_a_404_and_unchanged(ours, theirs, their_admins, login):
    before = mailbox(ours.la)
    client = login(their_admins.icb)
    url = reverse("administration:area_dco_office", args=[ours.la.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"dco_office_email": "taken@icb-theirs.example"}).status_code == 404
    # A council in no area at all, and a provider's id, are 404s too.
    for other in (LocalAuthorityFactory(name="Council Nowhere", icb=None), ours.provider):
        assert client.get(reverse("administration:area_dco_office", args=[other.pk])).status_code == 404
    assert mailbox(ours.la) == before and history(ours.la) == []


@pytest.mark.parametrize("who", ["la", "provider"])
def test_other_administrators_get_404(ours, our_admins, login, who):
    client = login(getattr(our_admins, who))
    assert client.get(reverse("administration:area")).status_code == 404
    url = reverse("administration:area_dco_office", args=[ours.la.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"dco_office_email": "x@icb.example"}).status_code == 404


@pytest.mark.parametrize("who", ["provider", "icb"])
def test_only_the_councils_administrator_reads_its_mailbox(our_admins, ours, login, who):
    assert login(getattr(our_admins, who)).get(reverse("administration:la_dco_office")).status_code == 404
    for user in (ours.dco, ours.case_officer, ours.ad):
        assert login(user).get(reverse("administration:la_dco_office")).status_code == 404
        assert login(user).get(reverse("administration:area")).status_code == 404
