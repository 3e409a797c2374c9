"""The LA's annual review settings: saved and recorded in the settings history with before and after;
a value under the law's floor, over the page's bounds or not a number is a GOV.UK error with nothing
changed and what was typed kept; only the LA's administrator opens the page."""

import pytest
from django.urls import reverse

from ehc.models import AuditEvent, LocalAuthoritySettings

pytestmark = pytest.mark.django_db

URL = reverse("administration:review_timings")


def valid(**changes):
    data = {
        "review_birthday_alignment": "yes",
        "review_notice_weeks": "2",
        "review_health_notice_weeks": "6",
        "review_advice_days_before_meeting": "14",
    }
    data.update(changes)
    return data


def _settings(la):
    return LocalAuthoritySettings.objects.get(local_authority=la)


def test_the_form_shows_the_current_settings(ours, our_admins, login):
    html = login(our_admins.la).get(URL).content.decode()
    assert 'name="review_notice_weeks" value="2"' in html and 'name="review_health_notice_weeks" value="6"' in html


def test_a_change_is_saved_and_recorded_in_the_history(ours, our_admins, login):
    client = login(our_admins.la)
    response = client.post(
        URL, valid(review_birthday_alignment="no", review_notice_weeks="3", review_health_notice_weeks="8"), follow=True
    )
    assert "Annual review settings saved" in response.content.decode()
    saved = _settings(ours.la)
    assert (saved.review_birthday_alignment, saved.review_notice_weeks, saved.review_health_notice_weeks) == (
        False,
        3,
        8,
    )
    event = AuditEvent.objects.filter(settings_of=ours.la).latest("id")
    assert event.summary == "Changed the annual review settings"
    assert event.changes == {
        "Align annual reviews with the child's birthday": ["Yes", "No"],
        "Notice of a review meeting (weeks)": ["2", "3"],
        "Health's notice of a review meeting (weeks)": ["6", "8"],
    }
    history = client.get(reverse("administration:history")).content.decode()
    assert "Changed the annual review settings" in history


def test_saving_the_same_values_records_nothing(ours, our_admins, login):
    before = AuditEvent.objects.filter(settings_of=ours.la).count()
    response = login(our_admins.la).post(URL, valid(), follow=True)
    assert "Nothing changed: nothing was saved" in response.content.decode()
    assert AuditEvent.objects.filter(settings_of=ours.la).count() == before


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("review_notice_weeks", "1", "Notice of a review meeting must be from 2 to 26 weeks"),
        ("review_notice_weeks", "27", "Notice of a review meeting must be from 2 to 26 weeks"),
        ("review_notice_weeks", "two", "Notice of a review meeting must be a whole number of weeks"),
        ("review_notice_weeks", "", "Enter how many weeks&#x27; notice of a review meeting"),
        ("review_advice_days_before_meeting", "13", "Reports due before the meeting must be from 14 to 56 days"),
        ("review_health_notice_weeks", "2", "Health&#x27;s notice must be longer than the time before the meeting"),
        ("review_birthday_alignment", "", "Select whether to align annual reviews with the child&#x27;s birthday"),
        ("review_birthday_alignment", "maybe", "Select whether to align annual reviews with the child&#x27;s birthday"),
    ],
)
def test_bad_values_are_errors_with_nothing_changed(ours, our_admins, login, field, value, message):
    before = AuditEvent.objects.filter(settings_of=ours.la).count()
    data = valid(**{"review_notice_weeks": "4", field: value})
    response = login(our_admins.la).post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: " in html
    if value and field == "review_notice_weeks":
        assert f'value="{value}"' in html  # what was typed is kept
    assert _settings(ours.la).review_notice_weeks == 2
    assert AuditEvent.objects.filter(settings_of=ours.la).count() == before


def test_only_the_las_administrator_opens_it(ours, our_admins, their_admins, login):
    assert login(our_admins.la).get(URL).status_code == 200
    for outsider in (our_admins.provider, our_admins.icb, ours.case_officer, ours.spoc):
        assert login(outsider).get(URL).status_code in (403, 404)
    # Another LA's administrator sees their own council's settings, never ours.
    login(their_admins.la).post(URL, valid(review_notice_weeks="5"))
    assert _settings(ours.la).review_notice_weeks == 2
    assert _settings(their_admins.la.organisation).review_notice_weeks == 5


def test_the_section_is_listed_and_linked_from_the_timings_page(ours, our_admins, login):
    client = login(our_admins.la)
    assert URL in client.get(reverse("administration:index")).content.decode()
    assert URL in client.get(reverse("administration:timings")).content.decode()
