"""Escalation 2 belongs to the DCO: a resolution recorded before its date (a date agreed with the team,
or agreement with the LA that the advice is not needed) stops it for that item only; with nothing
recorded the DCO office's notice goes on time. Every sweep here runs twice."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from advice.models import AdviceItem, ItemStatus, NotProvidedReason, Stage
from ehc.models import AuditAction, AuditEvent, MessageKind, Notification, OutboundEmail, Role
from ehc.outbox import email_content
from escalation.models import Escalation, Escalation2Resolution, EscalationStage, ResolutionKind
from escalation.resolutions import ResolutionError, escalation_2_resolution_record
from tests.factories import UserFactory

from .conftest import make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db
ON_25_JANUARY = datetime.datetime(2027, 1, 25, 10, tzinfo=datetime.UTC)


def twice(day):
    sweep(day)
    sweep(day, hour=15)


@pytest.fixture
def at_escalation_1(ours):
    """Escalation 1 on 22 January 2027 for SLT and OT; escalation 2 due on 5 February."""
    request = make_request(
        ours, notified_on=D(2026, 11, 20), teams=[ours.slt, ours.ot], case_officer=ours.case_officer
    )
    sweep(D(2027, 1, 22))
    return request


def item(request, team):
    return AdviceItem.objects.get(request=request, team=team)


def resolve(request, team, user, **kwargs):
    with time_machine.travel(ON_25_JANUARY, tick=False):
        return escalation_2_resolution_record(item=item(request, team), user=user, **kwargs)


def test_an_agreed_date_stops_escalation_2_and_becomes_the_promised_date(at_escalation_1, ours):
    request = at_escalation_1
    for team in (ours.slt, ours.ot):
        resolve(request, team, ours.dco, kind=ResolutionKind.AGREED_DATE, agreed_date=D(2027, 2, 19), reason="Agreed")
    for day in (D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 19)):
        twice(day)
    assert not Escalation.objects.filter(request=request, stage=EscalationStage.ESCALATION_2).exists()
    assert not OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_2).exists()
    slt = item(request, ours.slt)
    assert (slt.status, slt.stage, slt.next_action_on, slt.promised_on) == (
        ItemStatus.OUTSTANDING,
        Stage.ESCALATION_1,
        None,
        D(2027, 2, 19),
    )
    # The agreed date passes without the advice: the LA is told once per item.
    twice(D(2027, 2, 22))
    twice(D(2027, 2, 23))
    assert OutboundEmail.objects.filter(kind=MessageKind.PROMISE_PASSED).count() == 2
    assert not Escalation.objects.filter(request=request, stage=EscalationStage.ESCALATION_2).exists()


def test_not_needed_closes_the_item_as_not_provided_and_stops_every_timer(at_escalation_1, ours):
    request = at_escalation_1
    resolve(request, ours.slt, ours.dco, kind=ResolutionKind.NOT_NEEDED, reason="LA agreed: known elsewhere")
    slt = item(request, ours.slt)
    assert slt.status == ItemStatus.NOT_PROVIDED and slt.next_action_on is None
    assert slt.not_provided_reason == NotProvidedReason.NOT_REQUIRED
    assert slt.not_provided_detail == "LA agreed: known elsewhere"
    assert slt.not_provided_decided_by.endswith("DCO/DMO office, agreed with the LA")
    twice(D(2027, 2, 5))
    # Escalation 2 goes for the other team only: the notice names one team and only its head of service.
    (email,) = OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_2)
    assert ours.ot.head_of_service_email in email.cc
    assert ours.slt.head_of_service_email not in email.cc
    assert "(1 team)" in email_content(email)[1]
    assert item(request, ours.slt).stage == Stage.ESCALATION_1
    assert item(request, ours.ot).stage == Stage.ESCALATION_2


def test_a_resolution_is_audited_and_told_to_the_la(at_escalation_1, ours):
    request = at_escalation_1
    resolve(request, ours.slt, ours.dco, kind=ResolutionKind.AGREED_DATE, agreed_date=D(2027, 2, 19), reason="Agreed")
    assert AuditEvent.objects.filter(
        case=request.case, action=AuditAction.STAGE, actor=ours.dco, summary__contains="agreed 19 Feb 2027"
    ).exists()
    (email,) = OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_2_RESOLVED)
    assert email.to == ["ad.education@la-ours.example"]
    assert request.case.child.first_name not in email.body_text + email.body_html + email.subject
    assert ours.slt.name not in email.body_text + email.body_html + email.subject
    assert Notification.objects.filter(event=email.dedupe_key, user=ours.case_officer).exists()


def test_nothing_twice_and_nothing_after_escalation_2(at_escalation_1, ours):
    request = at_escalation_1
    resolve(request, ours.slt, ours.dco, kind=ResolutionKind.AGREED_DATE, agreed_date=D(2027, 2, 19), reason="A")
    with pytest.raises(ResolutionError, match="already"):
        resolve(request, ours.slt, ours.dco, kind=ResolutionKind.NOT_NEEDED, reason="Again")
    twice(D(2027, 2, 5))  # the OT item's escalation 2
    with pytest.raises(ResolutionError, match="Escalation 2 has already gone"):
        resolve(request, ours.ot, ours.dco, kind=ResolutionKind.NOT_NEEDED, reason="Too late")
    with pytest.raises(ResolutionError, match="today or in the future"):
        make_request(ours, notified_on=D(2026, 11, 20), teams=[ours.paeds])
        sweep(D(2027, 1, 22))
        late = AdviceItem.objects.filter(team=ours.paeds, stage=Stage.ESCALATION_1).get()
        past = D(2027, 1, 1)
        resolve(late.request, ours.paeds, ours.dco, kind=ResolutionKind.AGREED_DATE, agreed_date=past, reason="X")
    assert Escalation2Resolution.objects.count() == 1


def test_the_sweep_skips_an_item_with_a_resolution_even_if_a_date_came_back(at_escalation_1, ours):
    request = at_escalation_1
    resolve(request, ours.slt, ours.dco, kind=ResolutionKind.AGREED_DATE, agreed_date=D(2027, 2, 19), reason="A")
    # Something later puts an action date back on it (an exception ending, a repair by hand).
    AdviceItem.objects.filter(pk=item(request, ours.slt).pk).update(next_action_on=D(2027, 2, 5))
    twice(D(2027, 2, 5))
    slt = item(request, ours.slt)
    assert slt.stage == Stage.ESCALATION_1 and slt.next_action_on is None


# The pages


def test_the_dco_records_a_resolution_from_the_escalation_2_list(at_escalation_1, ours, login):
    slt = item(at_escalation_1, ours.slt)
    url = reverse("escalation:resolve", args=[slt.pk])
    with time_machine.travel(ON_25_JANUARY, tick=False):
        client = login(ours.dco)  # signed in on the day: sessions end after 30 idle minutes
        listing = client.get(reverse("escalation:resolutions_due")).content.decode()
        assert url in listing and "5 Feb 2027" in listing
        assert client.get(url).status_code == 200
        invalid = client.post(url, {"kind": ResolutionKind.AGREED_DATE, "reason": ""})
        page = invalid.content.decode()
        assert invalid.status_code == 200 and "(error)" in page
        assert "Enter the date the advice will be provided" in page and "Enter reason" in page
        assert not Escalation2Resolution.objects.exists()
        response = client.post(
            url,
            {
                "kind": ResolutionKind.AGREED_DATE,
                "agreed_date_0": "19",
                "agreed_date_1": "2",
                "agreed_date_2": "2027",
                "reason": "Agreed with the team's lead on O'Neill's clinic",
            },
        )
        assert response.status_code == 302
    resolution = Escalation2Resolution.objects.get(item=slt)
    assert resolution.reason == "Agreed with the team's lead on O'Neill's clinic"
    assert resolution.recorded_by == ours.dco


def test_only_the_dco_of_the_las_area_may_resolve(at_escalation_1, ours, theirs, login):
    url = reverse("escalation:resolve", args=[item(at_escalation_1, ours.slt).pk])
    assert login(theirs.dco).get(url).status_code == 404
    for user in (ours.case_officer, ours.ad, ours.head_of_service, ours.spoc):
        assert login(user).get(url).status_code == 404
    assert login(ours.dco).get(reverse("escalation:resolve", args=[999999])).status_code == 404
    assert login(theirs.dco).post(url, {"kind": ResolutionKind.NOT_NEEDED, "reason": "x"}).status_code == 404
    assert at_escalation_1.case.reference not in login(theirs.dco).get(
        reverse("escalation:resolutions_due")
    ).content.decode()
    no_right = UserFactory(username="icb-admin", organisation=ours.icb, roles=[Role.ADMINISTRATOR])
    assert login(no_right).get(url).status_code == 404
    assert not Escalation2Resolution.objects.exists()


def test_the_dco_dashboard_shows_for_each_item_which_happened(at_escalation_1, ours, theirs, login):
    request = at_escalation_1
    resolve(request, ours.slt, ours.dco, kind=ResolutionKind.AGREED_DATE, agreed_date=D(2027, 2, 19), reason="A")
    twice(D(2027, 2, 5))  # nothing recorded for OT: its notice goes
    with time_machine.travel(datetime.datetime(2027, 2, 8, 10, tzinfo=datetime.UTC), tick=False):
        page = login(ours.dco).get(reverse("reports:dashboard")).content.decode()
        rows = page[page.index('id="escalation-2"') :]
        assert f"{ours.slt.name}</td>" in rows and f"{ours.ot.name}</td>" in rows
        assert "Resolved by the DCO: date agreed with the team, 19 Feb 2027" in rows
        assert "No resolution recorded: the automatic escalation 2 notice went" in rows
        other = login(theirs.dco).get(reverse("reports:dashboard")).content.decode()
        assert request.case.reference not in other


def test_the_case_page_leads_the_dco_to_the_resolution(at_escalation_1, ours, login):
    case_url = reverse("assessments:case_detail", args=[at_escalation_1.case_id])
    link = reverse("escalation:resolutions_due")
    with time_machine.travel(ON_25_JANUARY, tick=False):
        assert link in login(ours.dco).get(case_url).content.decode()
        assert link not in login(ours.case_officer).get(case_url).content.decode()
