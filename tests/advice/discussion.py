"""The case discussion's cast, made as the demo makes its people (ehc.demo): Harbourside's case
officer, the Bayview alliance's SPOC and its SLT and OT practitioners (both teams asked), its
paediatrician (a team not asked), the area's DCO and the alliance director's letters-only account;
and, from the tests' other world, another council's case officer and a provider never asked."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from advice.discussion.services import discussion_message_post
from advice.services import advice_request_send
from assessments.models import CaseStatus
from ehc.demo import seed_organisations, seed_users
from ehc.models import Service
from tests.factories import CaseFactory


@pytest.fixture
def demo():
    icb, la, provider, teams = seed_organisations()
    users = seed_users((icb, la, provider), teams)
    return SimpleNamespace(icb=icb, la=la, provider=provider, teams=teams, users=users)


@pytest.fixture
def demo_case(demo):
    """A Harbourside case being assessed, advice asked of Bayview's SLT and OT teams."""
    case = CaseFactory(
        local_authority=demo.la,
        case_officer=demo.users["case.officer"],
        status=CaseStatus.ASSESSING,
        decided_to_assess=True,
        received_on=datetime.date(2026, 9, 1),
        decision_on=datetime.date(2026, 9, 10),
        first_name="Robin",
        last_name="Quillfeather",
        nhs_number="9434765919",
    )
    advice_request_send(
        case=case, provider=demo.provider, services_named=[Service.SLT, Service.OT], user=demo.users["case.officer"]
    )
    return case


def discussion_url(case):
    return reverse("advice:discussion", args=[case.pk])


def post(case, user, text, uploads=()):
    return discussion_message_post(case=case, user=user, text=text, uploads=uploads)
