"""No duration is written into a letter, an email or a page: each reads the LA's own settings (issue 16)."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from pypdf import PdfReader

from ehc import outbox
from ehc.models import LocalAuthoritySettings, MessageKind, OutboundEmail
from ehc.models.la_settings import period_text
from escalation import letters
from escalation.letters import letter_render
from escalation.models import Letter

from .conftest import make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db
# A number of days or weeks, in figures or in words, as a text would write a duration.
DURATION = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|fourteen)\s+(working\s+|calendar\s+)?(days?|weeks?)\b",
    re.IGNORECASE,
)


def _sweep_days(first, last):
    day = first
    while day <= last:
        sweep(day)
        day += datetime.timedelta(days=1)


def test_period_text():
    assert period_text(42) == "6 weeks"
    assert period_text(7) == "1 week"
    assert period_text(45) == "45 days"
    assert period_text(1) == "1 day"
    assert period_text(3, working=True) == "3 working days"
    assert period_text(1, working=True) == "1 working day"


def test_the_letter_and_the_escalation_2_notice_state_the_las_own_durations(world):
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
        advice_period_days=35, escalation_2_after_escalation_1_days=21, escalation_1_response_working_days=5
    )
    request = make_request(world, notified_on=D(2026, 11, 20))
    request.items.update(due_on=D(2026, 12, 25), next_action_on=D(2026, 12, 25))
    _sweep_days(D(2026, 12, 28), D(2027, 2, 10))

    letter = letter_render(letter_id=Letter.objects.get(escalation__request=request).pk)
    assert letter.content["timings"]["advice_period"] == "5 weeks"
    text = " ".join(PdfReader(io.BytesIO(bytes(letter.pdf))).pages[0].extract_text().split())
    assert "Advice is due within 5 weeks of the request" in text
    assert "6 weeks" not in text

    email = OutboundEmail.objects.get(kind=MessageKind.ESCALATION_2, advice_request=request)
    _, body, html = outbox.email_content(email)
    assert "still outstanding 3 weeks after the escalation 1 letter" in body
    assert "still outstanding 3 weeks after the escalation 1 letter" in html


def test_a_letter_issued_before_its_snapshot_kept_the_durations_still_reads_its_advice_period():
    content = {
        "reference": "EHC-1",
        "dated": "2027-01-15",
        "local_authority": {"name": "Council", "address_lines": [], "telephone": "", "website": ""},
        "addressee": {"name": "", "title": "", "organisation": "Provider", "address_lines": []},
        "child": {"name": "Child", "date_of_birth": "2018-03-14"},
        "notified_on": "2026-11-20",
        "chased_on": None,
        "teams": [{"name": "SLT", "due_on": "2027-01-01", "days_overdue": 14}],
        "response_due_on": "2027-01-20",
        "signatory": {"name": "", "title": ""},
        "cc": [],
        "footer": "",
    }
    assert "Advice is due within 6 weeks of the request" in letters.letter_html(content)


def test_the_request_form_and_a_waiting_letter_read_the_las_settings(world, ours, login):
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
        advice_period_days=28, escalation_1_response_working_days=4, letters_need_ad_approval=True
    )
    request = make_request(world, notified_on=D(2026, 11, 20))
    request.items.update(due_on=D(2026, 12, 18), next_action_on=D(2026, 12, 18))
    _sweep_days(D(2026, 12, 21), D(2027, 1, 6))
    letter = Letter.objects.get(escalation__request=request)
    assert letter.is_awaiting_approval

    page = login(ours.ad).get(reverse("escalation:letter_detail", args=[letter.pk])).content.decode()
    assert "the DCO/DMO office's 4 working days count from then" in page
    form = login(ours.case_officer).get(reverse("advice:request_create", args=[request.case_id])).content.decode()
    assert "which starts the 4 weeks for the advice" in form


@pytest.mark.parametrize("folder", ["letters", "emails"])
def test_no_letter_or_email_template_writes_a_duration(folder):
    root = Path(django_settings.BASE_DIR) / "templates" / folder
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in sorted(root.rglob("*"))
        if path.is_file()
        for match in DURATION.finditer(path.read_text())
    ]
    assert not found, found
