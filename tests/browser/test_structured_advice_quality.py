"""Structured advice, its quality check and what commissioners see, in the browser: the practitioner
returns advice with two rows of provision, one not commissioned in the area; the case officer sends it
back because the provision is not quantified; the practitioner returns it again, quantified; the case
officer accepts it; the ICB's commissioner finds the row not commissioned counted, with no child named."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ehc.models import MessageKind, OutboundEmail, Role, Service

from ..factories import UserFactory
from . import scenes
from .helpers import expect, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def fill_row(page, number, *, need, availability, quantity=None):
    row = page.locator(f"#provision-{number}")
    row.get_by_label("The need it meets").fill(need)
    row.get_by_label("Type of provision").select_option(index=number)
    if quantity is None:
        row.get_by_label("How many").fill("")
    else:
        row.get_by_label("How many").fill(str(quantity))
        row.get_by_label("Of what").select_option(label="sessions")
        row.get_by_label("How often").select_option(label="per half term")
    row.get_by_label("Available locally now?").select_option(label=availability)


def write_the_advice(page, *, quantified):
    page.locator("#id_description_of_needs").fill("Understands two-step instructions; speech unclear to strangers.")
    page.locator("#id_provision_required").fill("Speech and language therapy and a programme at school.")
    page.locator("#id_outcomes").fill("Asks an adult for help in class by the end of year 3.")
    if page.locator("#provision-2").count() == 0:
        page.get_by_role("button", name="Add another provision").click()
        expect(page.locator("#provision-2")).to_be_visible()
    fill_row(page, 1, need="Unclear speech", availability="Available now", quantity=6 if quantified else None)
    fill_row(
        page,
        2,
        need="Social communication",
        availability="Not commissioned in this area",
        quantity=10 if quantified else None,
    )


def test_structured_advice_sent_back_returned_accepted_and_counted_for_commissioners(journey, ours, authenticator):
    from advice.models import ItemStatus, KnownStatus
    from advice.services import TeamAnswer, advice_acknowledge

    page = journey.page
    today = timezone.localdate()
    case = scenes.open_case(ours, first_name="Ciarán", last_name="O'Neill")
    advice_request = scenes.advice_requested(ours, case, services=[Service.SLT], on=today - datetime.timedelta(days=20))
    advice_acknowledge(
        advice_request=advice_request,
        user=ours.spoc,
        answers=[TeamAnswer(team=ours.slt, known_status=KnownStatus.KNOWN_OPEN)],
    )
    item = advice_request.items.get(team=ours.slt)
    commissioner = UserFactory(username="commissioner-journey", organisation=ours.icb, roles=[Role.COMMISSIONER])
    for user in (ours.slt_practitioner, ours.case_officer, commissioner):
        authenticator(user)

    sign_in(journey, ours.slt_practitioner)
    page.goto(reverse("advice:item_return", args=[item.pk]))
    write_the_advice(page, quantified=False)
    journey.check("return form, two rows of provision, not quantified")
    page.locator("button[name=action][value=return]").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Advice returned")

    page.context.clear_cookies()
    sign_in(journey, ours.case_officer)
    page.goto(reverse("advice:item_quality", args=[item.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the advice")
    expect(page.locator("main")).to_contain_text("Not commissioned in this area")
    page.get_by_role("button", name="Send the advice back").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.check("quality check, no reason given")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED
    page.get_by_label("Provision not specified or quantified").check()
    page.get_by_label("Note for the team").fill("Say how many sessions and how often for each row.")
    page.get_by_role("button", name="Send the advice back").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING and item.next_action_on is not None
    told = OutboundEmail.objects.filter(kind=MessageKind.ADVICE_SENT_BACK)
    assert told.count() == 1 and "O'Neill" not in told.get().subject

    page.context.clear_cookies()
    sign_in(journey, ours.slt_practitioner)
    page.goto(reverse("advice:item_return", args=[item.pk]))
    write_the_advice(page, quantified=True)
    page.locator("button[name=action][value=return]").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Advice returned")

    page.context.clear_cookies()
    sign_in(journey, ours.case_officer)
    page.goto(reverse("advice:item_quality", args=[item.pk]))
    expect(page.locator("main")).to_contain_text("6 sessions")
    page.get_by_role("button", name="Accept the advice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    journey.check("the advice accepted")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED

    page.context.clear_cookies()
    sign_in(journey, commissioner)
    page.goto(reverse("reports:commissioning"))
    by_availability = page.locator("#by-availability")
    not_commissioned = by_availability.get_by_role("row").filter(has_text="Not commissioned in this area")
    expect(not_commissioned.locator("td").nth(1)).to_have_text("1")
    expect(page.locator("main")).not_to_contain_text("O'Neill")
    expect(page.locator("main")).not_to_contain_text(case.reference)
    journey.check("commissioning report, the row not commissioned counted")
