"""Late advice in the browser: business support sees the timers act, the DCO works the dashboard,
the head of service answers escalation 2. Time moves on through the sweep's --now option."""

import csv
import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from ehc.models import OutboundEmail, Service

from . import scenes
from .helpers import (
    choose_option,
    choose_radio,
    expect,
    press_enter_on,
    sign_in,
    sign_in_with_keyboard,
    skip_to_main,
    start_from_home,
    tab_to,
    type_date,
    type_into,
    url_or_skip,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _escalation_pages_exist():
    url_or_skip("advice:spoc_queue")
    url_or_skip("escalation:hos_queue")
    url_or_skip("reports:dashboard")


def late_request(world, *, notified_days_ago, teams=(Service.SLT,)):
    """A request acknowledged the day after it was sent, with every named team responding."""
    from advice.models import KnownStatus

    case = scenes.open_case(world, received_days_ago=notified_days_ago + 5)
    notified = timezone.localdate() - datetime.timedelta(days=notified_days_ago)
    advice_request = scenes.advice_requested(world, case, services=list(teams), on=notified)
    responding = {item.team: KnownStatus.KNOWN_OPEN for item in advice_request.items.select_related("team")}
    scenes.advice_acknowledged(world, advice_request, teams=responding, on=notified + datetime.timedelta(days=1))
    return case, advice_request


def timer_dates(world, advice_request):
    from escalation.rules import TimerRules

    rules = TimerRules.for_la(world.la)
    chase = rules.chase_on(advice_request.due_on)
    escalation_1 = rules.escalation_1_on(advice_request.due_on)
    return chase, escalation_1, rules.escalation_2_on(escalation_1)


def stage_count(page, label):
    return page.get_by_role("table", name="By stage").get_by_role("row", name=re.compile(re.escape(label)))


def test_business_support_sees_the_chase_then_escalation_1_with_the_keyboard_only(journey, ours, authenticator):
    from advice.models import Stage

    page = journey.page
    # Due 8 days ago: the chase fell due in the past few days, escalation 1 falls due next week.
    case, advice_request = late_request(ours, notified_days_ago=50)
    chase_on, escalation_1_on, _ = timer_dates(ours, advice_request)
    item = advice_request.items.get()

    sign_in_with_keyboard(journey, ours.business_support, authenticator(ours.business_support))
    press_enter_on(page, text="Overdue advice")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue health advice")
    expect(stage_count(page, "Overdue, not chased yet")).to_contain_text("1")
    expect(stage_count(page, "Chased")).to_contain_text("0")
    journey.check("keyboard: dashboard, advice overdue and not chased")

    scenes.sweep_at(chase_on)
    item.refresh_from_db()
    assert item.stage == Stage.CHASED
    chases = OutboundEmail.objects.filter(case=case, kind="chase")
    assert chases.count() == 1 and ours.provider.spoc_email in chases.get().to

    page.reload()
    expect(stage_count(page, "Chased")).to_contain_text("1")
    skip_to_main(page)
    press_enter_on(page, "a[href*='stage=chased']")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outstanding health advice")
    rows = page.get_by_role("table", name=re.compile("Outstanding health advice")).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.reference)
    expect(rows.first).to_contain_text("Chased")
    journey.check("keyboard: outstanding advice at the chase")

    scenes.sweep_at(escalation_1_on)
    item.refresh_from_db()
    assert item.stage == Stage.ESCALATION_1
    # The letter's emails: the director's and a copy each for the DCO office and business support.
    assert OutboundEmail.objects.filter(case=case, kind="escalation_1").count() == 3

    page.reload()
    expect(page.get_by_text("No outstanding health advice matches these filters")).to_be_visible()
    press_enter_on(page, text="Clear filters")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Escalation 1")
    journey.check("keyboard: outstanding advice at escalation 1")


def test_business_support_downloads_the_tagged_escalation_letter(journey, ours, authenticator, tmp_path):
    case_page = Path(settings.BASE_DIR) / "templates" / "assessments" / "case_detail.html"
    if "escalation/_case_escalations.html" not in case_page.read_text():
        pytest.skip("the case page does not include escalation/_case_escalations.html yet (wired at the merge)")
    page = journey.page
    case, advice_request = late_request(ours, notified_days_ago=50)
    chase_on, escalation_1_on, _ = timer_dates(ours, advice_request)
    scenes.sweep_at(chase_on)
    scenes.sweep_at(escalation_1_on)

    authenticator(ours.business_support)
    sign_in(journey, ours.business_support)
    page.goto(f"/cases/{case.pk}/")
    history = page.get_by_role("table", name="Chases and escalations by provider")
    expect(history.get_by_role("row", name=re.compile("Chase"))).to_have_count(1)
    expect(history.get_by_role("row", name=re.compile("Escalation 1"))).to_have_count(1)
    journey.check("case page with a chase and an escalation 1 letter")

    history.get_by_role("link", name=re.compile("Letter")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Escalation 1 letter")
    journey.check("the letter's page: when it went, to whom, attached or linked")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the letter (PDF)").click()
    letter = tmp_path / "letter.pdf"
    download_info.value.save_as(letter)
    assert letter.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(letter)], capture_output=True, check=True, text=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), info
        assert re.search(r"^Title:\s+\S", info, re.M), info


def test_dco_filters_the_dashboard_to_one_team_and_downloads_the_csv_with_the_keyboard_only(
    journey, ours, theirs, authenticator
):
    url_or_skip("reports:items_csv")
    page = journey.page
    slt_case, _ = late_request(ours, notified_days_ago=50, teams=(Service.SLT, Service.OT))
    other_case, _ = late_request(ours, notified_days_ago=45, teams=(Service.OT,))
    outsider_case, _ = late_request(theirs, notified_days_ago=50)

    sign_in_with_keyboard(journey, ours.dco, authenticator(ours.dco))
    start_from_home(page, "Overdue advice dashboard", keyboard=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue health advice")
    by_team = page.get_by_role("table", name="By team")
    expect(by_team.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text(outsider_case.reference)).to_have_count(0)
    journey.check("keyboard: DCO dashboard")

    skip_to_main(page)
    press_enter_on(page, text="3 items of health advice outstanding")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outstanding health advice")
    rows = page.get_by_role("table", name=re.compile("Outstanding health advice")).locator("tbody tr")
    expect(rows).to_have_count(3)
    journey.check("keyboard: every outstanding item")

    choose_option(page, "#id_team", f"SLT Ours ({ours.provider.short_name})")
    press_enter_on(page, text="Apply filters")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(slt_case.reference)
    journey.check("keyboard: outstanding advice of one team")

    tab_to(page, text="Download every row of this list as CSV")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:5] == ["Reference", "Child", "Local authority", "Provider", "Team"]
    assert [row[0] for row in table[1:]] == [slt_case.reference]
    assert {row[4] for row in table[1:]} == {"SLT Ours"}

    choose_option(page, "#id_stage", "Escalation 2")
    press_enter_on(page, text="Apply filters")
    expect(page.get_by_text("No outstanding health advice matches these filters")).to_be_visible()
    journey.check("keyboard: no advice at escalation 2 for the team")

    # A hand-edited address naming a team outside the area is a form error, not a leak.
    page.goto(f"/reports/dashboard/advice/?team={theirs.slt.pk}")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a team from the list")
    journey.check("outstanding advice, a team outside the area")
    assert other_case.reference  # listed only in the unfiltered view above


def test_head_of_service_records_an_escalation_2_outcome_with_the_keyboard_only(journey, ours, authenticator):
    from advice.models import DelayReason, Stage

    page = journey.page
    today = timezone.localdate()
    case, advice_request = late_request(ours, notified_days_ago=80, teams=(Service.SLT, Service.OT))
    chase_on, escalation_1_on, escalation_2_on = timer_dates(ours, advice_request)
    for day in (chase_on, escalation_1_on, escalation_2_on):
        scenes.sweep_at(day)
    slt_item = advice_request.items.get(team=ours.slt)
    assert slt_item.stage == Stage.ESCALATION_2

    sign_in_with_keyboard(journey, ours.head_of_service, authenticator(ours.head_of_service))
    start_from_home(page, "Escalations", keyboard=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Escalations for heads of service")
    queue = page.get_by_role("table", name="Waiting for the advice, by response date")
    expect(queue.locator("tbody tr")).to_have_count(2)
    journey.check("keyboard: head of service queue")

    skip_to_main(page)
    press_enter_on(page, f"a[href$='/heads-of-service/items/{slt_item.pk}/outcome/']")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome of the escalation")
    journey.check("keyboard: escalation 2 outcome form")

    press_enter_on(page, "button[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether the advice will be provided")
    journey.check("keyboard: escalation 2 outcome form, nothing chosen")

    choose_radio(page, "outcome", "The advice will be provided: give the date and the reason for the delay")
    type_date(page, "promised_on", today - datetime.timedelta(days=1))
    press_enter_on(page, "button[type=submit]")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("must be today or in the future")
    expect(summary).to_contain_text("Select the main reason for the delay")
    expect(summary).to_contain_text("Enter the reason for the delay")
    journey.check("keyboard: escalation 2 outcome form, date passed and no reason")

    promised = today + datetime.timedelta(days=14)
    type_date(page, "promised_on", promised)
    choose_option(page, "#id_delay_reason", DelayReason.CAPACITY.label)
    type_into(page, "#id_delay_detail", "Two therapists on long-term leave; a locum starts next week.")
    press_enter_on(page, "button[type=submit]")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Recorded: SLT Ours will provide the advice by {promised.day} {promised:%B %Y}"
    )
    expect(queue.get_by_role("row", name=re.compile("SLT Ours"))).to_contain_text("Advice promised by")
    journey.check("keyboard: head of service queue after the outcome")

    slt_item.refresh_from_db()
    assert slt_item.promised_on == promised and slt_item.delay_reason == DelayReason.CAPACITY
    assert slt_item.head_of_service_responded_by == ours.head_of_service
    assert case.reference in page.locator("main").inner_text()


def test_dco_answers_an_escalation_1_letter_and_reads_the_reports(journey, ours, authenticator):
    url_or_skip("reports:index")
    from escalation.models import Escalation, EscalationStage

    page = journey.page
    case, advice_request = late_request(ours, notified_days_ago=60)
    chase_on, escalation_1_on, _ = timer_dates(ours, advice_request)
    scenes.sweep_at(chase_on)
    scenes.sweep_at(escalation_1_on)
    escalation = Escalation.objects.get(request=advice_request, stage=EscalationStage.ESCALATION_1)

    authenticator(ours.dco)
    sign_in(journey, ours.dco)
    expect(page.get_by_role("link", name="1 response to an escalation 1 letter owed")).to_be_visible()
    start_from_home(page, "Overdue advice dashboard")
    owed = page.get_by_role("table", name=re.compile("Escalation 1: the DCO office's response"))
    expect(owed.locator("tbody tr")).to_have_count(1)
    expect(owed).to_contain_text(case.reference)
    journey.check("DCO dashboard with a response owed")

    page.goto(url_or_skip("escalation:responses_owed"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Responses to escalation 1")
    journey.check("responses owed")
    page.get_by_role("link", name=f"Record the response for {case.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Response to escalation 1")
    journey.check("escalation 1 response form")
    page.get_by_role("button", name="Save the response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the DCO/DMO office's response")
    journey.check("escalation 1 response form, nothing entered")
    page.get_by_label(re.compile("response to the Assistant Director")).fill(
        "Met the SLT team lead; the advice will be returned within two weeks."
    )
    page.get_by_role("button", name="Save the response").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Response to the escalation for {case.reference} recorded"
    )
    escalation.refresh_from_db()
    assert escalation.responded_by == ours.dco and escalation.response.startswith("Met the SLT team lead")
    page.goto(url_or_skip("escalation:responses_owed"))
    expect(page.get_by_text("No responses are owed")).to_be_visible()
    journey.check("responses owed, none left")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    journey.check("reports")
    for report in ("Quarterly non-return audit", "Health advice by month and by service", "Local authority timeliness"):
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
        page.get_by_role("link", name=report).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        journey.check(f"report: {report}")

    # The end of the period before its start: an error on the report, figures not shown.
    group = page.get_by_role("group", name="End date")
    group.get_by_label("Day").fill("1")
    group.get_by_label("Month").fill("1")
    group.get_by_label("Year").fill("2000")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("End date must be the same as or after")
    journey.check("report with the period the wrong way round")
