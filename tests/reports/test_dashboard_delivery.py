"""Emails GOV.UK Notify could not deliver (ehc.delivery.undelivered_q): a chase or escalation that
failed permanently is flagged with its address on the dashboard (business support, the DCO) and on
the DCO's responses page, from the one definition, and nowhere else."""

import datetime

from django.urls import reverse
from django.utils import timezone

from ehc.models import DeliveryStatus, MessageKind, MessageStatus, OutboundEmail

from .helpers import item

DAY = datetime.timedelta(days=1)


def sent_email(world, key, *, kind=MessageKind.CHASE, delivery, sent_days_ago=2, on_today):
    advice = item(world, notified_on=on_today - 50 * DAY)
    statuses = set(delivery.values())
    summary = next(
        (s for s in ("permanent-failure", "temporary-failure", "technical-failure") if s in statuses), "delivered"
    )
    return OutboundEmail.objects.create(
        kind=kind,
        dedupe_key=key,
        case=advice.case,
        advice_request=advice.request,
        to=list(delivery),
        subject=f"Chase for {advice.case.reference}",
        body_text="Advice is overdue",
        status=MessageStatus.SENT,
        attempts=1,
        sent_at=timezone.now() - sent_days_ago * DAY,
        delivery=delivery,
        delivery_status=summary,
    )


def test_a_permanent_failure_of_a_chase_is_flagged_with_its_address(ours, theirs, login, on_today):
    bounced = sent_email(
        ours,
        "bounced",
        delivery={"director@old-provider.example": "permanent-failure", "spoc@provider-ours.example": "delivered"},
        on_today=on_today,
    )
    full = sent_email(
        ours, "full", kind=MessageKind.ESCALATION_1, delivery={"hos@provider-ours.example": "temporary-failure"},
        on_today=on_today,
    )
    delivered = sent_email(ours, "delivered", delivery={"spoc@provider-ours.example": "delivered"}, on_today=on_today)
    not_a_chase = sent_email(
        ours, "receipt", kind=MessageKind.ADVICE_RETURNED, delivery={"x@provider-ours.example": "permanent-failure"},
        on_today=on_today,
    )
    long_ago = sent_email(
        ours, "old", delivery={"y@provider-ours.example": "permanent-failure"}, sent_days_ago=29, on_today=on_today
    )
    elsewhere = sent_email(
        theirs, "elsewhere", delivery={"z@provider-theirs.example": "permanent-failure"}, on_today=on_today
    )
    shown = {bounced.pk, full.pk}
    for user in (ours.business_support, ours.dco, ours.ad):
        response = login(user).get(reverse("reports:dashboard"))
        assert response.status_code == 200
        assert {e.pk for e in response.context["figures"].failed_emails} == shown
        page = response.content.decode()
        assert "failed to send or were not delivered" in page
        assert "director@old-provider.example: permanent failure, the address does not exist" in page
        assert "hos@provider-ours.example: temporary failure" in page
        for hidden in (delivered, not_a_chase, long_ago, elsewhere):
            assert hidden.case.reference not in page

    # The DCO's responses page counts the same rows by the same definition.
    response = login(ours.dco).get(reverse("escalation:responses_owed"))
    assert {e.pk for e in response.context["failing"]} == shown
    assert "director@old-provider.example" in response.content.decode()
    # Their DCO sees only their own.
    response = login(theirs.dco).get(reverse("escalation:responses_owed"))
    assert {e.pk for e in response.context["failing"]} == {elsewhere.pk}


def test_the_flag_is_not_shown_to_those_without_the_dashboard(ours, login, on_today):
    sent_email(ours, "bounced", delivery={"director@old-provider.example": "permanent-failure"}, on_today=on_today)
    for user in (ours.case_officer, ours.spoc, ours.slt_practitioner, ours.head_of_service):
        assert login(user).get(reverse("reports:dashboard")).status_code == 404
    for user in (ours.business_support, ours.spoc):
        assert login(user).get(reverse("escalation:responses_owed")).status_code == 404


def test_an_email_failing_to_send_is_still_listed_as_before(ours, login, on_today):
    advice = item(ours, notified_on=on_today - 50 * DAY)
    failing = OutboundEmail.objects.create(
        kind=MessageKind.INVITATION,
        dedupe_key="failing",
        case=advice.case,
        to=["someone@council-ours.example"],
        subject="s",
        status=MessageStatus.FAILED,
        attempts=3,
        last_error="421 try later",
        delivery_status=DeliveryStatus.NONE,
    )
    response = login(ours.business_support).get(reverse("reports:dashboard"))
    assert [e.pk for e in response.context["figures"].failed_emails] == [failing.pk]
    assert "Failed to send (3 attempts): 421 try later" in response.content.decode()
