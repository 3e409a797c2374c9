"""An LA administrator edits the escalation 1 letter's wording in the browser, with a preview on
invented data; a letter the sweep issues afterwards carries the new text and the LA's current dates,
and one issued before keeps its own, byte for byte."""

import io

import pytest
from pypdf import PdfReader

from ehc.models import Role, Service

from . import scenes
from .helpers import expect, sign_in, start_from_home, url_or_skip
from .test_escalation import late_request, timer_dates

pytestmark = pytest.mark.django_db(transaction=True)
MARKER = "Harbourside asks for a reply"
NEW_WORDING = (
    f"{MARKER} from {{{{ provider_name }}}} by {{{{ response_due_on }}}} about advice asked for on "
    "{{ request_date }}, due within {{ advice_period_weeks }} weeks.\n\n{{ teams_table }}\n\n"
    "Our office at O'Neill Quay will follow this up."
)


def pdf_text(data) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(data))).pages).split())


def test_an_la_administrator_edits_the_letter_with_preview_and_only_later_letters_carry_it(
    journey, ours, authenticator
):
    from escalation.letters import letter_render
    from escalation.models import Letter, WordingVersion
    from tests.factories import UserFactory

    url_or_skip("administration:wording")
    page = journey.page
    # A letter issued before the edit: escalation 1 some days ago.
    _, earlier = late_request(ours, notified_days_ago=64, teams=(Service.SLT,))
    chase_on, escalation_1_on, _ = timer_dates(ours, earlier)
    scenes.sweep_at(chase_on)
    scenes.sweep_at(escalation_1_on)
    first = letter_render(letter_id=Letter.objects.get(escalation__request=earlier).pk)
    first_pdf = bytes(first.pdf)
    assert "Advice is due within 6 weeks of the request" in pdf_text(first_pdf)

    admin = UserFactory(username="la-admin-wording", organisation=ours.la, roles=[Role.ADMINISTRATOR])
    sign_in(journey, admin, device=authenticator(admin))
    start_from_home(page, "Administration")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    page.get_by_role("link", name="Letter and email wording").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter and email wording")
    journey.check("the texts and their versions")
    page.get_by_role("link", name="Edit the escalation 1 letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the escalation 1 letter")
    expect(page.get_by_role("cell", name="{{ advice_period_weeks }}")).to_be_visible()
    journey.check("the letter's wording with its placeholders")

    # A misspelt placeholder is refused, naming it, and nothing is saved.
    wording = page.get_by_label("Wording")
    wording.fill("Dear {{ directors_name }},")
    page.get_by_role("button", name="Save as a new version").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("{{ directors_name }} is not a placeholder: use one from the list")
    journey.check("the wording refused")
    assert not WordingVersion.objects.exists()

    # The preview: the unsaved text as a PDF on invented data, in a new tab.
    previews = []

    def keep(route):
        response = route.fetch()
        previews.append(response.body())
        route.fulfill(response=response)

    page.context.route("**/administration/wording/escalation_1_letter/preview/", keep)
    page.get_by_label("Wording").fill(NEW_WORDING)
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview the letter (PDF, opens in a new tab)").click()
    opened.value.close()
    for _ in range(50):
        if previews:
            break
        page.wait_for_timeout(100)
    assert previews and previews[0].startswith(b"%PDF")
    preview = pdf_text(previews[0])
    assert MARKER in preview and "Alex Example" in preview and "O'Neill Quay" in preview
    assert not WordingVersion.objects.exists()

    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter and email wording")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved version 1 of the escalation 1 letter")
    journey.check("version 1 in force")
    page.get_by_role("link", name="Settings history").first.click()
    expect(page.get_by_role("table")).to_contain_text("Changed the wording of the escalation 1 letter: version 1")
    journey.check("the change in the settings history")

    # A letter issued after the edit carries the new wording and the LA's current dates.
    _, later = late_request(ours, notified_days_ago=50, teams=(Service.OT,))
    chase_on, escalation_1_on, _ = timer_dates(ours, later)
    scenes.sweep_at(chase_on)
    scenes.sweep_at(escalation_1_on)
    second = letter_render(letter_id=Letter.objects.get(escalation__request=later).pk)
    text = pdf_text(second.pdf)
    response_due = second.escalation.response_due_on
    assert f"{MARKER} from {ours.provider.name} by {response_due:%A} {response_due.day} {response_due:%B %Y}" in text
    assert f"asked for on {later.notified_on.day} {later.notified_on:%B %Y}, due within 6 weeks" in text
    assert second.content["wording"]["version"] == 1
    # The earlier letter is unchanged, its wording and its PDF.
    first = Letter.objects.get(pk=first.pk)
    assert bytes(first.pdf) == first_pdf and first.content["wording"]["version"] == 0
    assert MARKER not in pdf_text(letter_render(letter_id=first.pk).pdf)
