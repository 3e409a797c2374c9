"""The case officer's day in the browser: the caseload, recording a request, recording the decision."""

import datetime
import re

import pytest
from django.utils import timezone

from assessments.models import Case, CaseStatus, Requester
from assessments.views import SHARE_SENT

from ..factories import CaseFactory
from .helpers import (
    choose_radio,
    expect,
    focused,
    press_enter_on,
    sign_in,
    sign_in_with_keyboard,
    skip_to_main,
    tab_to,
    type_date,
    type_into,
)

pytestmark = pytest.mark.django_db(transaction=True)


def fill_date(page, legend, date):
    """`date` is a date, or a (day, month, year) tuple for one that cannot exist."""
    day, month, year = (date.day, date.month, date.year) if isinstance(date, datetime.date) else date
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_case_officer_records_a_request_after_fixing_mistakes(journey, ours, theirs, authenticator):
    page = journey.page
    today = timezone.localdate()
    CaseFactory(local_authority=ours.la, case_officer=ours.case_officer, received_on=today - datetime.timedelta(50))
    CaseFactory(local_authority=ours.la, received_on=today - datetime.timedelta(10))
    outsider = CaseFactory(local_authority=theirs.la, last_name="Outsiderson")
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)

    # Home: the case officer's work today, and the caseload a link away.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work today")
    expect(page.get_by_role("heading", level=2, name="As a SEND case officer")).to_be_visible()
    page.get_by_role("link", name="Your caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    cases = page.get_by_role("table", name="Open cases by next statutory date")
    expect(cases.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text(outsider.child.last_name)).to_have_count(0)
    # The case received 50 days ago is past its 6-week decision date.
    expect(cases.locator("tbody tr").first).to_contain_text("Late")
    journey.check("caseload with cases")

    page.get_by_label("Reference or child's name").fill("Nobody-by-this-name")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No cases match these filters")).to_be_visible()
    journey.check("caseload filtered to nothing")

    page.get_by_role("link", name="Record a new request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a request for an EHC needs assessment")
    journey.check("new request form")

    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the child's first name")
    expect(summary).to_contain_text("Select who made the request")
    expect(page).to_have_title(re.compile(r"^Record a request .*\(error\)"))
    journey.check("new request form, nothing entered")

    # Each message in the summary leads to its field.
    summary.get_by_role("link", name="Enter the child's first name").click()
    expect(page.get_by_label("First name")).to_be_focused()

    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Brookfield")
    fill_date(page, "Date of birth", (31, 2, 2017))
    page.get_by_label("NHS number (optional)").fill("123 456 7890")
    page.get_by_label("Parent or carer").check()
    fill_date(page, "Date the request was received", today + datetime.timedelta(days=3))
    page.get_by_role("button", name="Save").click()
    expect(summary).to_contain_text("Date of birth must be a real date")
    expect(summary).to_contain_text("Date the request was received must be today or in the past")
    # Nothing typed is lost.
    expect(page.get_by_label("First name")).to_have_value("Ada")
    expect(page.get_by_label("Parent or carer")).to_be_checked()
    journey.check("new request form, impossible dates")
    assert not Case.objects.filter(child__last_name="Brookfield").exists()

    fill_date(page, "Date of birth", datetime.date(2017, 2, 28))
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    received = today - datetime.timedelta(days=2)
    fill_date(page, "Date the request was received", received)
    page.get_by_label("The family's views").fill("Ada loves music and wants to be understood at school.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(re.compile(r"Request EHC-.* recorded"))

    case = Case.objects.get(child__last_name="Brookfield")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Request {case.reference} recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Brookfield")
    expect(page.get_by_text("No health advice has been requested yet")).to_be_visible()
    journey.check("case page after recording")
    assert case.received_on == received and case.case_officer == ours.case_officer
    assert case.child.nhs_number == "9434765919"

    page.get_by_role("link", name="Record the decision whether to assess").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision whether to assess")
    journey.check("decision form")

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether the local authority decided to assess")
    journey.check("decision form, nothing entered")

    page.get_by_label("Yes, it will assess").check()
    fill_date(page, "Date the decision was notified to the family", received - datetime.timedelta(days=1))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "must be on or after the date the request was received"
    )
    journey.check("decision form, decision before the request")

    fill_date(page, "Date the decision was notified to the family", today)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Decision whether to assess recorded")
    expect(page.locator("main")).to_contain_text(CaseStatus.ASSESSING.label)
    journey.check("case page after the decision")
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSING and case.decision_on == today


def test_case_officer_records_a_request_with_the_keyboard_only(journey, ours, authenticator):
    """No mouse: Tab, Shift+Tab, Enter, Space, arrow keys and typing, from sign-in to the decision."""
    page = journey.page
    today = timezone.localdate()
    sign_in_with_keyboard(journey, ours.case_officer, authenticator(ours.case_officer))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work today")
    skip_to_main(page)
    press_enter_on(page, text="Your caseload")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")

    # Past the header and menu with the skip link: the next Tab is the page's first action.
    skip_to_main(page)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Record a new request"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a request for an EHC needs assessment")
    type_into(page, "#id_first_name", "Kit")
    type_into(page, "#id_last_name", "Ashdown")
    type_date(page, "date_of_birth", datetime.date(2019, 6, 5))
    choose_radio(page, "requested_by", "School, college or setting")
    # Forgot the received date: submit from the keyboard and follow the error summary back.
    press_enter_on(page, "button[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter date the request was received")
    journey.check("keyboard: new request form, date missing")
    # GOV.UK Frontend focuses the summary, so the next Tab is its first link.
    press_enter_on(page, text="Enter date the request was received")
    assert focused(page)["name"] == "received_on_0"
    received = today - datetime.timedelta(days=1)
    page.keyboard.type(str(received.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(received.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(received.year))
    # Shift+Tab goes back up the form: the school set earlier is still chosen.
    tab_to(page, "input[type=radio][name=requested_by]", backwards=True)
    assert focused(page)["label"] == "School, college or setting"
    press_enter_on(page, "button[type=submit]")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(re.compile(r"Request EHC-.* recorded"))

    case = Case.objects.get(child__last_name="Ashdown")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Request {case.reference} recorded")
    journey.check("keyboard: case page after recording")
    assert case.received_on == received and case.requested_by == Requester.SETTING

    press_enter_on(page, text="Record the decision whether to assess")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision whether to assess")
    choose_radio(page, "decided_to_assess", "No, it will not assess")
    type_date(page, "decision_on", today)
    press_enter_on(page, "button[type=submit]")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Decision whether to assess recorded")
    journey.check("keyboard: case page after the decision")
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_ASSESSING


def test_case_officers_other_forms_show_their_errors(journey, ours, authenticator):
    """Every other form on a case, empty and then wrong, as a case officer meets them."""
    page = journey.page
    case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer, received_on=timezone.localdate())
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    page.goto(f"/cases/{case.pk}/")

    page.get_by_role("link", name="Change case details").click()
    expect(page.get_by_label("First name")).to_have_value(case.child.first_name)
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the child's first name")
    journey.check("change case details, first name removed")
    page.get_by_role("link", name=f"Back to {case.reference}").click()

    for link, heading, error in (
        ("End the case (withdrawn or moved away)", "Case ended", "Select why the case is ending"),
        ("Record an exception (regulations 10(4) and 8(2))", "Record an exception", "Select the reason"),
        ("Share the case with someone else", "Share the case", "Enter an email address"),
    ):
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        journey.check(f"{heading} form")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(error)
        journey.check(f"{heading} form, nothing entered")
        page.get_by_role("link", name=f"Back to {case.reference}").click()

    # The same answer whether or not the address has an account (issue 13): nothing to enumerate.
    for address in ("nobody@nowhere.example", ours.business_support.email):
        page.get_by_role("link", name="Share the case with someone else").click()
        page.get_by_label("Email address of the person to share with").fill(address)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(case.child_name)
        expect(page.locator("main")).to_contain_text(SHARE_SENT)
    journey.check("case page with a current share")
    page.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(page.locator("main")).to_contain_text("The case is no longer shared with")
    expect(page.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(0)
    journey.check("case page, share revoked")
