"""The weekly digests: one email per SPOC mailbox across every LA its providers serve, grouped by LA,
oldest first; one list per LA for its business support. On the digest day and time, the next working
day after a bank holiday; never twice for one week (every test sweeps twice); none when nothing is
overdue."""

import datetime
from types import SimpleNamespace

import pytest

from ehc.models import ClosureDay, LocalAuthoritySettings, MessageKind, OutboundEmail
from escalation.models import DigestAudience, DigestRun, DigestSchedule
from escalation.rules import LONDON
from escalation.sweep.digest import SPOC_SCHEDULE
from tests.factories import CaseFactory, LocalAuthorityFactory, ProviderFactory, TeamFactory, UserFactory

from .conftest import make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db


def spoc_digests():
    return list(OutboundEmail.objects.filter(kind=MessageKind.DIGEST).order_by("id"))


def la_lists():
    return list(OutboundEmail.objects.filter(kind=MessageKind.DIGEST_LA).order_by("id"))


def next_digest_at(world):
    return LocalAuthoritySettings.objects.get(local_authority=world.la).next_digest_at


def next_spoc_digest_at():
    return DigestSchedule.objects.get(name=SPOC_SCHEDULE).next_at


def both_due(day, hour=9):
    """Every LA's list and the SPOC digests next due at `hour` on `day`."""
    at = datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)
    LocalAuthoritySettings.objects.update(next_digest_at=at)
    DigestSchedule.objects.update_or_create(name=SPOC_SCHEDULE, defaults={"next_at": at})


def request_in(la, provider, *, notified_on, team, first_name="Alex"):
    """A request to another provider, or in another LA (a world of its own for make_request)."""
    case = CaseFactory(local_authority=la, first_name=first_name, last_name="O'Neill")
    elsewhere = SimpleNamespace(provider=provider, case_officer=UserFactory(organisation=la), la=la)
    return make_request(elsewhere, notified_on=notified_on, teams=[team], case=case)


def test_monday_bank_holiday_moves_both_digests_to_tuesday_and_each_goes_once(world):
    make_request(world, notified_on=D(2027, 2, 1))  # due 15 March: overdue from then on
    sweep(D(2027, 4, 26), hour=10)  # first run on a Monday after 09:00: this week's go
    assert len(spoc_digests()) == 1 and len(la_lists()) >= 1
    ours = [email for email in la_lists() if email.to == ["send.support@la-ours.example"]]
    assert len(ours) == 1
    assert next_digest_at(world) == datetime.datetime(2027, 5, 4, 9, 0, tzinfo=LONDON)
    assert next_spoc_digest_at() == datetime.datetime(2027, 5, 4, 9, 0, tzinfo=LONDON)

    sweep(D(2027, 5, 3), hour=10)  # bank holiday
    sweep(D(2027, 5, 4), hour=8)  # before 09:00
    assert len(spoc_digests()) == 1
    for hour in (9, 15):  # at 09:00, and again later the same day
        sweep(D(2027, 5, 4), hour=hour)
    assert [email.dedupe_key.rsplit(":", 1)[-1] for email in spoc_digests()] == ["2027-04-26", "2027-05-03"]
    assert len([e for e in la_lists() if e.to == ["send.support@la-ours.example"]]) == 2
    assert next_spoc_digest_at() == datetime.datetime(2027, 5, 10, 9, 0, tzinfo=LONDON)
    runs = DigestRun.objects.filter(audience=DigestAudience.BUSINESS_SUPPORT, local_authority=world.la)
    assert list(runs.order_by("week_of").values_list("week_of", "sent_for_date")) == [
        (D(2027, 4, 26), D(2027, 4, 26)),
        (D(2027, 5, 3), D(2027, 5, 4)),
    ]


def test_one_spoc_email_across_the_las_a_provider_serves_grouped_by_la_oldest_first(world):
    second_la = LocalAuthorityFactory(name="Aardvark Borough", short_name="AB")
    world.provider.served_las.add(second_la)
    older = make_request(world, notified_on=D(2027, 1, 4), first_name="Zebedee", teams=[world.ot])
    newer = make_request(world, notified_on=D(2027, 2, 1), teams=[world.slt, world.paeds])
    make_request(world, notified_on=D(2027, 4, 1))  # due 13 May: not overdue yet
    elsewhere = request_in(second_la, world.provider, notified_on=D(2027, 3, 1), team=world.slt, first_name="Yusuf")
    other = ProviderFactory(name="Other Provider", spoc_email="spoc@other.example", serves=[world.la])
    ProviderFactory(name="Quiet Provider", spoc_email="spoc@quiet.example", serves=[world.la])
    other_request = request_in(
        world.la, other, notified_on=D(2027, 2, 8), team=TeamFactory(provider=other, name="Orthoptics")
    )
    both_due(D(2027, 5, 10))
    sweep(D(2027, 5, 10), hour=9)
    sweep(D(2027, 5, 10), hour=10)

    by_mailbox = {email.to[0]: email for email in spoc_digests()}
    assert set(by_mailbox) == {world.provider.spoc_email, "spoc@other.example"}
    ours = by_mailbox[world.provider.spoc_email]
    assert ours.subject == "Weekly chase: 4 overdue health advice items for your provider"
    text = ours.body_text
    # Grouped by LA (by name), oldest first inside each.
    assert text.index("Aardvark Borough") < text.index(elsewhere.case.reference) < text.index("Council Ours")
    assert text.index(older.case.reference) < text.index(newer.case.reference)
    assert f"{older.case.reference}: due 15 Feb 2027, 84 days overdue" in text
    for secret in ("Zebedee", "Yusuf", "O'Neill", "O&#x27;Neill", world.slt.name, world.ot.name, "Orthoptics"):
        assert secret not in text + ours.body_html
    assert other_request.case.reference in by_mailbox["spoc@other.example"].body_text
    assert other_request.case.reference not in text
    runs = dict(
        DigestRun.objects.filter(audience=DigestAudience.SPOC, week_of=D(2027, 5, 10)).values_list(
            "mailbox", "item_count"
        )
    )
    assert runs[world.provider.spoc_email] == 4
    assert runs["spoc@other.example"] == 1
    assert runs["spoc@quiet.example"] == 0  # recorded, and no email


def test_providers_sharing_a_spoc_mailbox_get_one_email(world):
    twin = ProviderFactory(name="Twin Provider", spoc_email=world.provider.spoc_email.upper(), serves=[world.la])
    make_request(world, notified_on=D(2027, 2, 1))
    twin_request = request_in(world.la, twin, notified_on=D(2027, 2, 2), team=TeamFactory(provider=twin))
    both_due(D(2027, 5, 10))
    sweep(D(2027, 5, 10), hour=9)
    sweep(D(2027, 5, 10), hour=11)
    (email,) = [e for e in spoc_digests() if e.to == [world.provider.spoc_email]]
    assert twin_request.case.reference in email.body_text
    assert email.subject.startswith("Weekly chase: 2 overdue")


def test_business_support_gets_one_list_of_everything_late_for_its_la(world):
    other = ProviderFactory(name="Other Provider", spoc_email="spoc@other.example", serves=[world.la])
    first = make_request(world, notified_on=D(2027, 2, 1), first_name="Zebedee")
    second = request_in(world.la, other, notified_on=D(2027, 1, 25), team=TeamFactory(provider=other))
    make_request(world, notified_on=D(2027, 4, 1))  # not overdue
    both_due(D(2027, 5, 10))
    sweep(D(2027, 5, 10), hour=9)
    sweep(D(2027, 5, 10), hour=12)
    (email,) = [e for e in la_lists() if e.to == ["send.support@la-ours.example"]]
    assert email.subject == "Weekly list: 2 overdue health advice items for Council Ours"
    assert email.body_text.index(second.case.reference) < email.body_text.index(first.case.reference)
    assert "Zebedee" not in email.body_text + email.body_html
    assert DigestRun.objects.get(audience=DigestAudience.BUSINESS_SUPPORT, local_authority=world.la).item_count == 2


def test_no_digest_email_when_nothing_is_overdue(world):
    make_request(world, notified_on=D(2027, 4, 1))
    both_due(D(2027, 5, 10))
    sweep(D(2027, 5, 10), hour=9)
    sweep(D(2027, 5, 10), hour=10)
    assert not [e for e in la_lists() if e.to == ["send.support@la-ours.example"]]
    assert world.provider.spoc_email not in {e.to[0] for e in spoc_digests()}
    assert DigestRun.objects.get(audience=DigestAudience.BUSINESS_SUPPORT, local_authority=world.la).item_count == 0
    assert DigestRun.objects.get(audience=DigestAudience.SPOC, mailbox=world.provider.spoc_email).item_count == 0


def test_after_three_weeks_down_one_digest_of_each_catches_up_and_the_next_is_in_the_future(world):
    make_request(world, notified_on=D(2027, 2, 1))
    both_due(D(2027, 4, 19))
    sweep(D(2027, 5, 12), hour=11)  # a Wednesday, three weeks late
    sweep(D(2027, 5, 12), hour=12)
    assert [d.dedupe_key.rsplit(":", 1)[-1] for d in spoc_digests()] == ["2027-05-10"]
    assert [d.dedupe_key.rsplit(":", 1)[-1] for d in la_lists() if d.to == ["send.support@la-ours.example"]] == [
        "2027-05-10"
    ]
    assert next_digest_at(world) == datetime.datetime(2027, 5, 17, 9, 0, tzinfo=LONDON)
    assert next_spoc_digest_at() == datetime.datetime(2027, 5, 17, 9, 0, tzinfo=LONDON)


def test_the_las_digest_day_moves_its_list_but_not_the_spoc_digest(world):
    make_request(world, notified_on=D(2027, 2, 1))
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(
        digest_weekday=2, digest_time=datetime.time(14, 30)
    )
    sweep(D(2027, 5, 10), hour=9)  # Monday: the SPOC digest goes; the LA's list is on Wednesdays
    sweep(D(2027, 5, 10), hour=10)
    assert len(spoc_digests()) == 1
    assert not [e for e in la_lists() if e.to == ["send.support@la-ours.example"]]
    assert next_digest_at(world) == datetime.datetime(2027, 5, 12, 14, 30, tzinfo=LONDON)
    sweep(D(2027, 5, 12), hour=15)
    sweep(D(2027, 5, 12), hour=16)
    assert len([e for e in la_lists() if e.to == ["send.support@la-ours.example"]]) == 1
    assert len(spoc_digests()) == 1


def test_an_la_closure_day_on_monday_does_not_hold_the_spoc_digest(world):
    make_request(world, notified_on=D(2027, 2, 1))
    ClosureDay.objects.create(local_authority=world.la, date=D(2027, 5, 10), reason="Council closure")
    both_due(D(2027, 5, 10))
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(next_digest_at=None)
    sweep(D(2027, 5, 10), hour=9)  # other LAs are open: the SPOC digest goes on Monday
    assert len(spoc_digests()) == 1
    sweep(D(2027, 5, 11), hour=9)
    assert len([e for e in la_lists() if e.to == ["send.support@la-ours.example"]]) == 1
    assert len(spoc_digests()) == 1


def test_a_changed_digest_day_or_a_new_closure_day_moves_the_next_list(world):
    make_request(world, notified_on=D(2027, 2, 1))
    sweep(D(2027, 5, 4), hour=10)  # sends this week's (Monday was a bank holiday), next on 10 May
    assert next_digest_at(world) == datetime.datetime(2027, 5, 10, 9, 0, tzinfo=LONDON)
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(digest_weekday=2)
    sweep(D(2027, 5, 5), hour=10)
    assert next_digest_at(world) == datetime.datetime(2027, 5, 12, 9, 0, tzinfo=LONDON)
    ClosureDay.objects.create(local_authority=world.la, date=D(2027, 5, 12), reason="Council closure")
    sweep(D(2027, 5, 11), hour=10)
    assert next_digest_at(world) == datetime.datetime(2027, 5, 13, 9, 0, tzinfo=LONDON)
    ours = [e for e in la_lists() if e.to == ["send.support@la-ours.example"]]
    assert len(ours) == 1
    sweep(D(2027, 5, 13), hour=9)
    assert len([e for e in la_lists() if e.to == ["send.support@la-ours.example"]]) == 2
