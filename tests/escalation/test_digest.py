"""The weekly chase digest: on the digest day and time, the next working day after a bank holiday,
one email per provider with anything overdue, never twice for one week."""

import datetime

import pytest

from ehc.models import ClosureDay, LocalAuthoritySettings, MessageKind, OutboundEmail
from escalation.models import DigestRun
from escalation.rules import LONDON
from tests.factories import ProviderFactory, TeamFactory

from .conftest import make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db


def digests():
    return list(OutboundEmail.objects.filter(kind=MessageKind.DIGEST).order_by("id"))


def next_digest_at(world):
    return LocalAuthoritySettings.objects.get(local_authority=world.la).next_digest_at


def test_digest_moves_to_tuesday_when_monday_is_a_bank_holiday_and_goes_once(world):
    make_request(world, notified_on=D(2027, 2, 1))  # due 15 March: overdue from then on
    sweep(D(2027, 4, 26), hour=10)  # first run of a new LA on a Monday after 09:00: this week's goes
    assert [d.dedupe_key.rsplit(":", 1)[-1] for d in digests()] == ["2027-04-26"]
    assert next_digest_at(world) == datetime.datetime(2027, 5, 4, 9, 0, tzinfo=LONDON)

    sweep(D(2027, 5, 3), hour=10)  # bank holiday
    sweep(D(2027, 5, 4), hour=8)  # before 09:00
    assert len(digests()) == 1
    for hour in (9, 15):  # at 09:00, and again later the same day
        sweep(D(2027, 5, 4), hour=hour)
    assert len(digests()) == 2
    assert digests()[-1].dedupe_key.endswith(":week:2027-05-03")
    assert next_digest_at(world) == datetime.datetime(2027, 5, 10, 9, 0, tzinfo=LONDON)
    assert list(
        DigestRun.objects.filter(local_authority=world.la).order_by("week_of").values_list("week_of", "sent_for_date")
    ) == [
        (D(2027, 4, 26), D(2027, 4, 26)),
        (D(2027, 5, 3), D(2027, 5, 4)),
    ]


def test_digest_lists_each_providers_overdue_items_oldest_first_without_names(world):
    older = make_request(world, notified_on=D(2027, 1, 4), first_name="Zebedee", teams=[world.ot])
    newer = make_request(world, notified_on=D(2027, 2, 1), teams=[world.slt, world.paeds])
    make_request(world, notified_on=D(2027, 4, 1))  # due 13 May: not overdue yet
    other = ProviderFactory(name="Other Provider", spoc_email="spoc@other.example", serves=[world.la])
    quiet = ProviderFactory(name="Quiet Provider", spoc_email="spoc@quiet.example", serves=[world.la])
    other_request = make_request(world, notified_on=D(2027, 2, 8), teams=[])
    other_request.provider = other
    other_request.save()
    other_request.items.create(
        team=TeamFactory(provider=other, name="Orthoptics"),
        provider=other,
        local_authority=world.la,
        case=other_request.case,
        due_on=other_request.due_on,
        next_action_on=other_request.due_on,
    )
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
        next_digest_at=datetime.datetime(2027, 5, 10, 9, 0, tzinfo=LONDON)
    )
    sweep(D(2027, 5, 10), hour=9)

    by_recipient = {d.to[0]: d for d in digests()}
    assert set(by_recipient) == {world.provider.spoc_email, "spoc@other.example"}
    ours = by_recipient[world.provider.spoc_email]
    assert ours.subject == "Weekly chase: 3 overdue health advice items for Council Ours"
    text = ours.body_text
    positions = [
        text.index(f"{older.case.reference}, OT Ours"),
        text.index(f"{newer.case.reference}, Paediatrics"),
    ]
    assert positions == sorted(positions)
    assert "due 15 Feb 2027, 84 days overdue, escalation 1" in text
    assert "Zebedee" not in text + ours.body_html
    assert "Orthoptics" not in text
    assert "Orthoptics" in by_recipient["spoc@other.example"].body_text
    runs = {run.provider_id: run.item_count for run in DigestRun.objects.filter(local_authority=world.la)}
    assert runs == {world.provider.pk: 3, other.pk: 1, quiet.pk: 0}


def test_no_digest_email_when_nothing_is_overdue(world):
    make_request(world, notified_on=D(2027, 4, 1))
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
        next_digest_at=datetime.datetime(2027, 5, 10, 9, 0, tzinfo=LONDON)
    )
    sweep(D(2027, 5, 10), hour=9)
    assert not digests()
    assert DigestRun.objects.get(local_authority=world.la).item_count == 0


def test_after_three_weeks_down_one_digest_catches_up_and_the_next_is_in_the_future(world):
    make_request(world, notified_on=D(2027, 2, 1))
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
        next_digest_at=datetime.datetime(2027, 4, 19, 9, 0, tzinfo=LONDON)
    )
    sweep(D(2027, 5, 12), hour=11)  # a Wednesday, three weeks late
    sweep(D(2027, 5, 12), hour=12)
    assert [d.dedupe_key.rsplit(":", 1)[-1] for d in digests()] == ["2027-05-10"]
    assert next_digest_at(world) == datetime.datetime(2027, 5, 17, 9, 0, tzinfo=LONDON)


def test_digest_day_and_time_are_per_la_settings(world):
    make_request(world, notified_on=D(2027, 2, 1))
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
        digest_weekday=2, digest_time=datetime.time(14, 30)
    )
    sweep(D(2027, 5, 10), hour=9)  # Monday: the LA's digest is on Wednesdays
    assert not digests()
    assert next_digest_at(world) == datetime.datetime(2027, 5, 12, 14, 30, tzinfo=LONDON)
    sweep(D(2027, 5, 12), hour=15)
    assert len(digests()) == 1


def test_a_changed_digest_day_or_a_new_closure_day_moves_the_next_digest(world):
    make_request(world, notified_on=D(2027, 2, 1))
    sweep(D(2027, 5, 4), hour=10)  # sends this week's (Monday was a bank holiday), next on 10 May
    assert next_digest_at(world) == datetime.datetime(2027, 5, 10, 9, 0, tzinfo=LONDON)
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(digest_weekday=2)
    sweep(D(2027, 5, 5), hour=10)
    assert next_digest_at(world) == datetime.datetime(2027, 5, 12, 9, 0, tzinfo=LONDON)
    ClosureDay.objects.create(local_authority=world.la, date=D(2027, 5, 12), reason="Council closure")
    sweep(D(2027, 5, 11), hour=10)
    assert next_digest_at(world) == datetime.datetime(2027, 5, 13, 9, 0, tzinfo=LONDON)
    assert len(digests()) == 1
    sweep(D(2027, 5, 13), hour=9)
    assert len(digests()) == 2
