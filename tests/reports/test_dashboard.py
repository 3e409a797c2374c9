"""The DCO's overdue dashboard: each figure checked against a count made here from the rows."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from advice.models import AdviceItem, AdviceRequest, ItemStatus, Stage
from assessments.models import AnnualReview, ExceptionReason, TimelineException
from ehc.models import MessageKind, MessageStatus, OutboundEmail
from escalation.models import Escalation, EscalationStage

from .helpers import bulk_items, item

DAY = datetime.timedelta(days=1)


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))[1:]


def expected_buckets(items, today, excepted=frozenset()):
    """The dashboard's buckets, counted in Python from the rows themselves; `excepted`: the ids of
    the items an exception stops the clock of today."""
    out = [i for i in items if i.status == ItemStatus.OUTSTANDING]

    def age(i):
        return (today - i.request.notified_on).days

    return {
        "stages": {
            "due_soon": sum(today <= i.due_on <= today + 14 * DAY for i in out),
            "past_due": sum(i.due_on < today for i in out),
            "overdue": sum(i.due_on < today and i.stage == Stage.REQUESTED for i in out),
            "chased": sum(i.stage == Stage.CHASED for i in out),
            "escalation_1": sum(i.stage == Stage.ESCALATION_1 for i in out),
            "escalation_2": sum(i.stage == Stage.ESCALATION_2 for i in out),
            "promise_passed": sum(i.promised_on is not None and i.promised_on < today for i in out),
            "excepted": sum(i.pk in excepted for i in out),
            "review": sum(i.review_id is not None for i in out),
        },
        "ages": {
            "0-6": sum(age(i) < 42 for i in out),
            "6-8": sum(42 <= age(i) < 56 for i in out),
            "8-10": sum(56 <= age(i) < 70 for i in out),
            "10+": sum(age(i) >= 70 for i in out),
        },
        "total": len(out),
    }


@pytest.fixture
def world_items(ours, theirs, on_today):
    """A season of items for both areas; only ours should ever be counted."""
    start = on_today - 120 * DAY
    bulk_items(ours, count=240, start=start, days=118, today=on_today, seed=5)
    bulk_items(theirs, count=90, start=start, days=118, today=on_today, seed=6)
    # Some overdue items not chased yet (the sweep has not run): the "overdue" bucket.
    for days_ago in (45, 50):
        item(ours, notified_on=on_today - days_ago * DAY, team=ours.ot)
    # One request is a review's: still counted in every bucket, and in its own (advice.querysets).
    reviewed = AdviceItem.objects.filter(local_authority=ours.la, status=ItemStatus.OUTSTANDING).latest("id").request
    review = AnnualReview.objects.create(
        case=reviewed.case, local_authority=ours.la, anchor_on=on_today - 300 * DAY, due_on=on_today + 60 * DAY,
        meeting_on=on_today + 30 * DAY, recorded_by=ours.case_officer,
    )  # fmt: skip
    AdviceRequest.objects.filter(pk=reviewed.pk).update(review=review)
    AdviceItem.objects.filter(request=reviewed).update(review=review)
    items = list(AdviceItem.objects.filter(local_authority=ours.la).select_related("request"))
    # Two cases with exceptions covering all their advice: one running today, one ended two days ago.
    case_ids = list(dict.fromkeys(i.case_id for i in items if i.status == ItemStatus.OUTSTANDING))[:2]
    for case_id, ends_on in zip(case_ids, (None, on_today - 2 * DAY), strict=True):
        TimelineException.objects.create(
            case_id=case_id, reason=ExceptionReason.AWAY_FROM_AREA, detail="Abroad", agreed_by="Parent",
            starts_on=on_today - 20 * DAY, ends_on=ends_on, recorded_by=ours.case_officer,
        )  # fmt: skip
    return items


def clock_stopped(items, today):
    """The items an exception stops the clock of today, worked out here from the exception rows."""
    running = {e.case_id for e in TimelineException.objects.all() if e.runs_on(today) and e.covers_all_advice}
    return {i.pk for i in items if i.case_id in running}


def test_every_bucket_matches_the_rows_and_links_to_exactly_those_rows(ours, login, on_today, world_items):
    expected = expected_buckets(world_items, on_today, excepted=clock_stopped(world_items, on_today))
    assert expected["stages"]["overdue"] >= 2  # the dataset exercises every bucket
    assert all(expected["stages"].values()) and all(expected["ages"].values())
    client = login(ours.dco)
    figures = client.get(reverse("reports:dashboard")).context["figures"]
    assert figures.total == expected["total"]
    assert {key: count for key, _, count in figures.stages} == expected["stages"]
    assert {key: count for key, _, count in figures.ages} == expected["ages"]
    assert sum(count for _, _, count in figures.ages) == figures.total
    # Each count is a link to the filtered list: its CSV has exactly that many rows.
    for key, count in expected["stages"].items():
        assert len(_csv_rows(client.get(reverse("reports:items_csv"), {"stage": key}))) == count, key
    for key, count in expected["ages"].items():
        assert len(_csv_rows(client.get(reverse("reports:items_csv"), {"age": key}))) == count, key


def test_age_bands_include_their_lower_edge(ours, login, on_today):
    for days in (41, 42, 55, 56, 69, 70):
        item(ours, notified_on=on_today - days * DAY)
    figures = login(ours.dco).get(reverse("reports:dashboard")).context["figures"]
    assert {key: count for key, _, count in figures.ages} == {"0-6": 1, "6-8": 2, "8-10": 2, "10+": 1}


def test_due_soon_runs_from_today_to_two_weeks_ahead(ours, login, on_today):
    # Due on notified + 42: due today, in 14 days, in 15 days, and yesterday.
    for due_in in (0, 14, 15, -1):
        item(ours, notified_on=on_today + (due_in - 42) * DAY)
    figures = login(ours.dco).get(reverse("reports:dashboard")).context["figures"]
    stages = {key: count for key, _, count in figures.stages}
    assert stages["due_soon"] == 2
    assert stages["past_due"] == 1
    assert stages["overdue"] == 1


def test_by_provider_and_by_team(ours, login, on_today, world_items):
    client = login(ours.dco)
    figures = client.get(reverse("reports:dashboard")).context["figures"]
    out = [i for i in world_items if i.status == ItemStatus.OUTSTANDING]
    assert figures.by_provider == [
        {
            "provider_id": ours.provider.pk,
            "name": ours.provider.name,
            "outstanding": len(out),
            "past_due": sum(i.due_on < on_today for i in out),
        }
    ]
    by_team = {row["team_id"]: row for row in figures.by_team}
    for team in (ours.slt, ours.ot, ours.paeds):
        team_items = [i for i in out if i.team_id == team.pk]
        assert by_team[team.pk]["outstanding"] == len(team_items)
        assert by_team[team.pk]["past_due"] == sum(i.due_on < on_today for i in team_items)
        csv_rows = _csv_rows(
            client.get(reverse("reports:items_csv"), {"team": team.pk, "stage": "past_due"})
        )
        assert len(csv_rows) == by_team[team.pk]["past_due"]
        assert {row[4] for row in csv_rows} <= {team.name}
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert f"?team={ours.slt.pk}&amp;stage=past_due" in page
    assert f"?provider={ours.provider.pk}" in page


def test_responses_owed_overdue_first_answered_ones_gone(ours, theirs, login, on_today):
    from django.utils import timezone

    def escalation(world, *, due, answered=False):
        advice = item(world, notified_on=on_today - 70 * DAY, stage=Stage.ESCALATION_1)
        return Escalation.objects.create(
            request=advice.request,
            stage=EscalationStage.ESCALATION_1,
            issued_on=due - 5 * DAY,
            response_due_on=due,
            provider=world.provider,
            local_authority=world.la,
            responded_at=timezone.now() if answered else None,
        )

    later = escalation(ours, due=on_today + 2 * DAY)
    late = escalation(ours, due=on_today - 3 * DAY)
    escalation(ours, due=on_today - 9 * DAY, answered=True)
    escalation(theirs, due=on_today - 20 * DAY)

    hos_late = item(
        ours,
        notified_on=on_today - 100 * DAY,
        stage=Stage.ESCALATION_2,
        escalation_2_on=on_today - 20 * DAY,
        head_of_service_response_due_on=on_today - 6 * DAY,
    )
    hos_later = item(
        ours,
        notified_on=on_today - 90 * DAY,
        stage=Stage.ESCALATION_2,
        escalation_2_on=on_today - 4 * DAY,
        head_of_service_response_due_on=on_today + 10 * DAY,
    )
    item(
        ours,
        notified_on=on_today - 90 * DAY,
        stage=Stage.ESCALATION_2,
        head_of_service_response_due_on=on_today - 1 * DAY,
        head_of_service_responded_at=timezone.now(),
    )
    response = login(ours.dco).get(reverse("reports:dashboard"))
    figures = response.context["figures"]
    assert [e.pk for e in figures.escalation_1_owed] == [late.pk, later.pk]
    assert [e.days_late for e in figures.escalation_1_owed] == [3, -2]
    assert [i.pk for i in figures.head_of_service_owed] == [hos_late.pk, hos_later.pk]
    page = response.content.decode()
    assert "Overdue by 3 days" in page
    assert "Overdue by 6 days" in page


def test_failed_letters_and_emails_are_listed_only_when_failing(ours, theirs, login, on_today):
    def email(world, key, *, status, attempts):
        advice = item(world, notified_on=on_today - 50 * DAY)
        return OutboundEmail.objects.create(
            kind=MessageKind.ESCALATION_1,
            dedupe_key=key,
            case=advice.case,
            advice_request=advice.request,
            to=["director@provider.example"],
            subject=f"Escalation 1 for {advice.case.reference}",
            body_text="Letter attached",
            status=status,
            attempts=attempts,
            last_error="550 mailbox unavailable",
        )

    client = login(ours.dco)
    retrying = email(ours, "retrying", status=MessageStatus.FAILED, attempts=2)
    email(ours, "sent", status=MessageStatus.SENT, attempts=3)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "failed to send" not in page

    failing = email(ours, "failing", status=MessageStatus.FAILED, attempts=3)
    elsewhere = email(theirs, "elsewhere", status=MessageStatus.FAILED, attempts=5)
    response = client.get(reverse("reports:dashboard"))
    assert [e.pk for e in response.context["figures"].failed_emails] == [failing.pk]
    page = response.content.decode()
    assert "Letters and emails that failed to send" in page
    assert failing.case.reference in page
    assert retrying.case.reference not in page
    assert elsewhere.case.reference not in page
    assert "550 mailbox unavailable" in page


def test_dco_can_narrow_the_dashboard_to_one_la_and_bad_input_is_an_error(ours, login, on_today):
    item(ours, notified_on=on_today - 50 * DAY)
    client = login(ours.dco)
    narrowed = client.get(reverse("reports:dashboard"), {"la": ours.la.pk})
    assert narrowed.context["figures"].total == 1
    assert f"la={ours.la.pk}" in narrowed.context["base_query"]
    bad = client.get(reverse("reports:dashboard"), {"la": "not-a-number"})
    assert bad.status_code == 200
    assert "There is a problem" in bad.content.decode()
    # With a bad filter the whole area is shown, not nothing.
    assert bad.context["figures"].total == 1
