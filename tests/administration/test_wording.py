"""The LA's wording of its letters and emails: only its administrator edits it, bad wording is refused
with a clear message and changes nothing, each save is a numbered version in the settings history,
the preview renders unsaved text on invented data, and a letter keeps the wording it was issued with."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ehc import outbox
from ehc.models import AuditEvent, LocalAuthoritySettings, MessageKind, OutboundEmail
from escalation.letters import letter_render
from escalation.models import Letter, WordingKind, WordingVersion
from escalation.wording import DEFAULTS, WordingError, wording_check, wording_in_force, wording_version_create
from escalation.wording.render import wording_html, wording_text
from tests.escalation.conftest import make_request, sweep

pytestmark = pytest.mark.django_db
D = datetime.date
LETTER = WordingKind.ESCALATION_1_LETTER
NEW_LETTER = (
    "We asked {{ provider_name }} on {{ request_date }}; advice was due within {{ advice_period_weeks }} weeks.\n\n"
    "{{ teams_table }}\n\nPlease reply by {{ response_due_on }}, O'Neill Road office."
)


def edit_url(kind):
    return reverse(f"administration:wording_{kind}")


def preview_url(kind):
    return reverse(f"administration:wording_{kind}_preview")


def pdf_text(data) -> str:
    return " ".join(PdfReader(io.BytesIO(bytes(data))).pages[0].extract_text().split())


@pytest.mark.parametrize("who", ["provider", "icb"])
def test_other_kinds_of_administrator_get_404(our_admins, login, who):
    client = login(getattr(our_admins, who))
    assert client.get(reverse("administration:wording")).status_code == 404
    for kind in WordingKind.values:
        assert client.get(edit_url(kind)).status_code == 404
        assert client.post(edit_url(kind), {"text": "x"}).status_code == 404
        assert client.post(preview_url(kind), {"text": "x"}).status_code == 404
    assert not WordingVersion.objects.exists()


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "dco", "spoc", "head_of_service"])
def test_case_workers_get_404(ours, login, who):
    client = login(getattr(ours, who))
    assert client.get(reverse("administration:wording")).status_code == 404
    assert client.post(edit_url(LETTER), {"text": "x"}).status_code == 404


def test_another_las_administrator_gets_404_on_our_versions(ours, theirs, our_admins, their_admins, login):
    version = wording_version_create(la=ours.la, kind=LETTER, text="Ours {{ reference }}", user=our_admins.la)
    theirs_client = login(their_admins.la)
    assert theirs_client.get(reverse("administration:wording_version", args=[version.pk])).status_code == 404
    # Their edit page shows their own wording in force, not ours.
    assert "Ours {{ reference }}" not in theirs_client.get(edit_url(LETTER)).content.decode()
    assert wording_in_force(la_id=theirs.la.pk, kind=LETTER)["version"] == 0
    assert login(our_admins.la).get(reverse("administration:wording_version", args=[version.pk])).status_code == 200


def test_the_edit_page_lists_the_placeholders_and_starts_from_the_wording_in_force(our_admins, login):
    page = login(our_admins.la).get(edit_url(LETTER)).content.decode()
    assert "{{ advice_period_weeks }}" in page and "{{ teams_table }}" in page and "{{ child_name }}" in page
    assert "within {{ advice_period }} of the request" in page
    chase = login(our_admins.la).get(edit_url(WordingKind.CHASE_EMAIL)).content.decode()
    assert "{{ teams_list }}" in chase and "{{ child_name }}" not in chase and "{{ teams_table }}" not in chase


@pytest.mark.parametrize(
    "kind, text, message",
    [
        (LETTER, "Dear {{ childs_name }}", "{{ childs_name }} is not a placeholder"),
        (LETTER, "Due {{ response_due_on|date:'Y' }}", "Remove the filter from {{ response_due_on|date:"),
        (LETTER, "{% load static %}Hello", "Remove {% load static %}"),
        (LETTER, "{# note #}Hello", "Remove {# note #}"),
        (LETTER, "Hello {{ reference", "A placeholder is not closed"),
        (LETTER, "Teams: {{ teams_table }} are late", "Put {{ teams_table }} on a line of its own"),
        (LETTER, "{{ request.case.child_name }}", "{{ request.case.child_name }} is not a placeholder"),
        (WordingKind.CHASE_EMAIL, "About {{ child_name }}", "cannot be used in an email: emails carry no health"),
        (WordingKind.CHASE_EMAIL, "{{ teams_table }}", "cannot be used in an email"),
        (WordingKind.DIGEST_INTRO, "For {{ reference }}", "{{ reference }} cannot be used in this text"),
        (LETTER, "   ", "Enter the wording"),
    ],
)
def test_bad_wording_is_refused_with_a_message_naming_it_and_nothing_changes(
    ours, our_admins, login, kind, text, message
):
    with pytest.raises(WordingError) as refused:
        wording_check(kind, text)
    assert message in str(refused.value)
    client = login(our_admins.la)
    for url in (edit_url(kind), preview_url(kind)):
        response = client.post(url, {"text": text})
        body = response.content.decode()
        assert response.status_code == 200 and "govuk-error-summary" in body
        assert "There is a problem" in body
    assert not WordingVersion.objects.exists()
    assert not AuditEvent.objects.filter(settings_of=ours.la).exists()


def test_saving_makes_numbered_versions_audited_before_and_after(ours, our_admins, login):
    client = login(our_admins.la)
    assert client.post(edit_url(LETTER), {"text": NEW_LETTER}).status_code == 302
    assert client.post(edit_url(LETTER), {"text": NEW_LETTER + " Again."}).status_code == 302
    # The same text again is no new version.
    client.post(edit_url(LETTER), {"text": NEW_LETTER + " Again."})
    versions = list(WordingVersion.objects.filter(local_authority=ours.la).order_by("number"))
    assert [(v.number, v.created_by) for v in versions] == [(1, our_admins.la), (2, our_admins.la)]
    assert wording_in_force(la_id=ours.la.pk, kind=LETTER)["version"] == 2
    events = list(AuditEvent.objects.filter(settings_of=ours.la).order_by("id"))
    assert [event.summary for event in events] == [
        "Changed the wording of the escalation 1 letter: version 1",
        "Changed the wording of the escalation 1 letter: version 2",
    ]
    assert list(events[0].changes.values()) == [[DEFAULTS[LETTER], NEW_LETTER]]
    history = client.get(reverse("administration:history")).content.decode()
    assert "O&#x27;Neill Road office" in history and "O'Neill Road office" not in history
    index = client.get(reverse("administration:wording")).content.decode()
    assert "Version 2, saved" in index and reverse("administration:wording_version", args=[versions[0].pk]) in index


def test_the_letter_preview_renders_the_unsaved_text_on_demo_data(ours, our_admins, login):
    response = login(our_admins.la).post(preview_url(LETTER), {"text": NEW_LETTER})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "advice was due within 6 weeks" in text and "Alex Example" in text
    assert "O'Neill Road office" in text and "Occupational therapy" in text
    assert not WordingVersion.objects.exists()


def test_an_email_preview_shows_the_text_escaped(ours, our_admins, login):
    text = "Chasing <b>{{ reference }}</b> for O'Neill: {{ teams_phrase }} late.\n\n{{ teams_list }}"
    response = login(our_admins.la).post(preview_url(WordingKind.CHASE_EMAIL), {"text": text})
    body = response.content.decode()
    # The email's text is the product's rendering: the page escapes it like anything else it shows.
    assert "<b>EHC-DEMO-0001</b>" not in body
    assert response.status_code == 200
    assert "Chasing &lt;b&gt;EHC-DEMO-0001&lt;/b&gt; for O&#x27;Neill: 2 teams late." in body
    assert "- advice due" in body
    assert not WordingVersion.objects.exists()


def test_rendering_escapes_words_and_values_and_never_runs_template_code():
    values = {"reference": "<script>x</script>", "la_name": "O'Neill"}
    html = wording_html("{{ la_name }} & <i>{{ reference }}</i>\nline two", values)
    assert html == "<p>O&#x27;Neill &amp; &lt;i&gt;&lt;script&gt;x&lt;/script&gt;&lt;/i&gt;<br>line two</p>"
    assert wording_text("{{ la_name }} wrote\n\nagain", values) == "O'Neill wrote\n\nagain"


def test_a_letter_keeps_the_wording_it_was_issued_with_and_one_issued_after_carries_the_new(
    ours, our_admins, login
):
    before = make_request(ours, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 4))
    sweep(D(2027, 1, 15))
    first = Letter.objects.get(escalation__request=before)
    assert first.wording is None and first.content["wording"]["version"] == 0

    client = login(our_admins.la)
    client.post(edit_url(LETTER), {"text": NEW_LETTER})
    LocalAuthoritySettings.objects.filter(local_authority=ours.la).update(escalation_1_response_working_days=5)
    after = make_request(ours, notified_on=D(2026, 11, 27))
    sweep(D(2027, 1, 11))
    sweep(D(2027, 1, 22))
    second = Letter.objects.get(escalation__request=after)
    assert second.wording.number == 1 and second.content["wording"] == {"version": 1, "text": NEW_LETTER}

    first_text = pdf_text(letter_render(letter_id=first.pk).pdf)
    second_text = pdf_text(letter_render(letter_id=second.pk).pdf)
    assert "Advice is due within 6 weeks of the request" in first_text and "O'Neill Road" not in first_text
    # The new wording, with the LA's current dates: 5 working days from Friday 22 January.
    assert "We asked Provider Ours on 27 November 2026; advice was due within 6 weeks." in second_text
    assert "Please reply by Friday 29 January 2027, O'Neill Road office." in second_text
    # A later edit reaches neither.
    client.post(edit_url(LETTER), {"text": "Version three {{ reference }}"})
    assert pdf_text(letter_render(letter_id=second.pk).pdf) == second_text
    assert Letter.objects.get(pk=second.pk).content["wording"]["version"] == 1


def test_emails_queued_after_an_edit_carry_it(ours, our_admins, login):
    login(our_admins.la).post(
        edit_url(WordingKind.CHASE_EMAIL), {"text": "Chase for {{ reference }}, due {{ advice_due_on }}."}
    )
    request = make_request(ours, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 4))
    email = OutboundEmail.objects.get(kind=MessageKind.CHASE, advice_request=request)
    _, text, html = outbox.email_content(email)
    assert f"Chase for {request.case.reference}, due 1 January 2027." in text
    assert email.context["wording"]["version"] == 1
