"""The LA's recipients and letters settings: its own administrator only, bad input changes nothing,
domains stored as the model keeps them, every change in the settings history with before and after."""

import pytest
from django.urls import reverse

from ehc.models import AuditEvent, LocalAuthoritySettings
from tests.factories import IcbFactory, LocalAuthorityFactory, ProviderFactory

pytestmark = pytest.mark.django_db

URL = reverse("administration:recipients")


def valid(**overrides):
    data = {
        "ad_education_name": "Siobhan O'Neill",
        "ad_education_title": "Assistant Director of Education",
        "ad_education_email": "ad@council-ours.example",
        "business_support_email": "send.support@council-ours.example",
        "secure_email_domains": "NHS.net, @Health.Example\nnhs.net",
        "own_domain_is_secure": "on",
        "letters_need_ad_approval": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def settings_row(la):
    return LocalAuthoritySettings.for_la(la)


@pytest.mark.parametrize(
    "who",
    ["case_officer", "business_support", "ad", "spoc", "head_of_service", "dco"],
)
def test_case_workers_get_404(ours, login, who):
    client = login(getattr(ours, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, valid()).status_code == 404


def test_other_administrators_get_404_and_change_nothing(ours, theirs, our_admins, their_admins, login):
    before = settings_row(ours.la).ad_education_email
    for admin in (our_admins.provider, our_admins.icb, their_admins.provider, their_admins.icb):
        client = login(admin)
        assert client.get(URL).status_code == 404
        assert client.post(URL, valid(ad_education_email="thief@x.example")).status_code == 404
    # Their LA's administrator reaches the page, for their own council only.
    response = login(their_admins.la).post(URL, valid(ad_education_email="ad@council-theirs.example"))
    assert response.status_code == 302
    assert settings_row(ours.la).ad_education_email == before
    assert settings_row(theirs.la).ad_education_email == "ad@council-theirs.example"


def test_the_page_shows_the_settings_and_the_dco_mailbox_read_only(ours, our_admins, login):
    row = settings_row(ours.la)
    row.dco_office_email = "dco.office@icb-ours.example"
    row.save()
    body = login(our_admins.la).get(URL).content.decode()
    assert "dco.office@icb-ours.example" in body
    assert 'name="dco_office_email"' not in body
    assert "Matching is exact" in body and "does not cover mail.nhs.net" in body
    assert f"{ours.icb}' administrator sets it" in body  # a name ending in s takes the apostrophe alone


def test_saving_normalises_the_domains_and_records_before_and_after(ours, our_admins, login):
    partner = LocalAuthorityFactory(name="Council Neighbour")
    response = login(our_admins.la).post(URL, valid(partners=[partner.pk]))
    assert response.status_code == 302
    row = settings_row(ours.la)
    assert row.secure_email_domains == ["nhs.net", "health.example"]
    assert row.ad_education_name == "Siobhan O'Neill"
    assert row.letters_need_ad_approval is True
    assert list(row.partners.all()) == [partner]
    event = AuditEvent.objects.filter(settings_of=ours.la).latest("id")
    assert event.actor == our_admins.la
    assert event.changes["Secure email domains"][1] == "nhs.net, health.example"
    assert event.changes["Letters need the AD Education's approval"] == ["No", "Yes"]
    assert event.changes["Partners"] == ["", "Council Neighbour"]
    history = login(our_admins.la).get(reverse("administration:history")).content.decode()
    assert "Changed the recipients and letters settings" in history
    assert "Siobhan O&#x27;Neill" in history and "nhs.net, health.example" in history


def test_saving_the_same_values_records_nothing(ours, our_admins, login):
    client = login(our_admins.la)
    client.post(URL, valid())
    count = AuditEvent.objects.filter(settings_of=ours.la).count()
    response = client.post(URL, valid(), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert AuditEvent.objects.filter(settings_of=ours.la).count() == count


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ad_education_email", "not an address", "Enter AD Education&#x27;s email address in the correct format"),
        ("business_support_email", "x@", "Enter business support mailbox in the correct format"),
        ("secure_email_domains", "nhs.net, someone@nhs.net", "Enter domains, not email addresses"),
        ("secure_email_domains", "nhs..net", "Enter each secure domain like nhs.net: nhs..net is not a domain"),
        ("secure_email_domains", "localhost", "localhost is not a domain"),
        ("ad_education_title", "", "Enter the AD Education&#x27;s title"),
        ("ad_education_name", "x" * 201, "AD Education&#x27;s name must be 200 characters or fewer"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(ours, our_admins, login, field, value, message):
    before = AuditEvent.objects.filter(settings_of=ours.la).count()
    row_before = LocalAuthoritySettings.objects.filter(local_authority=ours.la).values().first()
    response = login(our_admins.la).post(URL, valid(**{field: value}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and message in body
    # What was entered is shown back whole.
    if value:
        assert value[:50] in body or value.replace("'", "&#x27;")[:50] in body
    assert AuditEvent.objects.filter(settings_of=ours.la).count() == before
    assert LocalAuthoritySettings.objects.filter(local_authority=ours.la).values().first() == row_before


def test_partners_offered_are_other_organisations_not_the_council_or_its_own_icb(ours, our_admins, login):
    other_icb = IcbFactory(name="ICB Elsewhere")
    provider = ProviderFactory(name="Provider Elsewhere")
    gone = LocalAuthorityFactory(name="Council Merged Away", is_active=False)
    body = login(our_admins.la).get(URL).content.decode()
    assert "ICB Elsewhere (integrated care board)" in body
    assert "Provider Elsewhere (health provider)" in body
    assert f"{ours.la.name} (local authority)" not in body
    assert f"{ours.icb.name} (integrated care board)" not in body
    assert "Council Merged Away" not in body
    # A partner already chosen stays on the list (and chosen) when it is no longer active.
    settings_row(ours.la).partners.add(gone)
    body = login(our_admins.la).get(URL).content.decode()
    assert "Council Merged Away (local authority)" in body
    response = login(our_admins.la).post(URL, valid(partners=[gone.pk, other_icb.pk, provider.pk]))
    assert response.status_code == 302
    assert set(settings_row(ours.la).partners.all()) == {gone, other_icb, provider}
    # Their own LA is no choice.
    response = login(our_admins.la).post(URL, valid(partners=[ours.la.pk]))
    assert response.status_code == 200 and "Select partner organisations from the list" in response.content.decode()
