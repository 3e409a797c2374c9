"""Who may see and act on advice: everyone else gets the 404 a missing page gets."""

import pytest
from django.urls import reverse

from advice.models import AdviceItem, ItemStatus, KnownStatus
from advice.services import NOT_INVOLVED, TeamAnswer, advice_acknowledge, advice_return
from assessments.models import CaseStatus
from ehc.models import Service

from .conftest import NOTIFIED, date_fields, request_advice
from .files import pdf_bytes


@pytest.fixture
def world(ours, case, travel):
    """Our provider asked about our case; SLT has returned a PDF, OT is outstanding."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from advice.uploads import check_upload

    travel(NOTIFIED)
    advice_request = request_advice(case, ours)
    slt = advice_request.items.get(team=ours.slt)
    ot = advice_request.items.get(team=ours.ot)
    document = SimpleUploadedFile("advice.pdf", pdf_bytes())
    advice_return(
        item=slt,
        user=ours.slt_practitioner,
        returned_on=NOTIFIED,
        content={},
        document=document,
        checked=check_upload(document),
    )
    return advice_request, slt, ot


def _urls(advice_request, slt, ot, case):
    """(url, accepts POST) for every advice page about one request, its items and its case."""
    return [
        (reverse("advice:request_detail", args=[advice_request.pk]), False),
        (reverse("advice:acknowledge", args=[advice_request.pk]), True),
        (reverse("advice:item_detail", args=[slt.pk]), False),
        (reverse("advice:item_detail", args=[ot.pk]), False),
        (reverse("advice:item_return", args=[ot.pk]), True),
        (reverse("advice:item_not_provided", args=[ot.pk]), True),
        (reverse("advice:item_exception", args=[ot.pk]), True),
        (reverse("advice:document_download", args=[slt.pk]), False),
        (reverse("advice:request_create", args=[case.pk]), True),
        (reverse("advice:draft_plan_record", args=[case.pk]), True),
        (reverse("advice:draft_comment", args=[case.pk]), True),
    ]


@pytest.mark.parametrize("outsider", ["spoc", "slt_practitioner", "head_of_service", "case_officer", "dco"])
def test_another_organisations_staff_get_404_for_every_advice_url(world, theirs, case, login, outsider):
    advice_request, slt, ot = world
    client = login(getattr(theirs, outsider))
    for url, accepts_post in _urls(advice_request, slt, ot, case):
        assert client.get(url).status_code == 404, url
        if accepts_post:
            assert client.post(url, {"reason": "other", "detail": "x"}).status_code == 404, url
    ot.refresh_from_db()
    assert ot.status == ItemStatus.OUTSTANDING and not ot.exception_reason


def test_a_missing_object_answers_the_same_404(world, ours, login):
    client = login(ours.spoc)
    for name in ("advice:request_detail", "advice:item_detail", "advice:document_download"):
        assert client.get(reverse(name, args=[987654])).status_code == 404


def test_the_queues_show_only_the_users_own_provider(world, theirs, case, login):
    assert case.reference not in login(theirs.spoc).get(reverse("advice:spoc_queue")).content.decode()
    assert (
        case.reference
        not in login(theirs.slt_practitioner).get(reverse("advice:team_queue")).content.decode()
    )


def test_queues_are_for_their_roles_only(world, ours, login):
    assert login(ours.slt_practitioner).get(reverse("advice:spoc_queue")).status_code == 404
    assert login(ours.case_officer).get(reverse("advice:spoc_queue")).status_code == 404
    assert login(ours.case_officer).get(reverse("advice:team_queue")).status_code == 404


def test_a_practitioner_cannot_return_or_close_another_teams_advice(world, ours, login):
    _, _, ot = world
    client = login(ours.slt_practitioner)
    # They may read it (same provider, same case) ...
    assert client.get(reverse("advice:item_detail", args=[ot.pk])).status_code == 200
    # ... but not answer for it.
    data = {
        **date_fields("returned_on", NOTIFIED),
        "description_of_needs": "n",
        "provision_required": "p",
        "outcomes": "o",
    }
    assert client.post(reverse("advice:item_return", args=[ot.pk]), data).status_code == 404
    assert client.get(reverse("advice:item_return", args=[ot.pk])).status_code == 404
    assert (
        client.post(
            reverse("advice:item_not_provided", args=[ot.pk]),
            {"reason": "other", "detail": "d", "decided_by": "me", **date_fields("decided_on", NOTIFIED)},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("advice:item_exception", args=[ot.pk]), {"reason": "away", "detail": "d"}
        ).status_code
        == 404
    )
    ot.refresh_from_db()
    assert ot.status == ItemStatus.OUTSTANDING and not ot.exception_reason
    # A practitioner cannot acknowledge: that is the SPOC's.
    assert client.get(reverse("advice:acknowledge", args=[ot.request_id])).status_code == 404


def test_the_spoc_may_return_on_a_teams_behalf(world, ours, login):
    _, _, ot = world
    response = login(ours.spoc).post(
        reverse("advice:item_return", args=[ot.pk]),
        {
            **date_fields("returned_on", NOTIFIED),
            "description_of_needs": "n",
            "provision_required": "p",
            "outcomes": "o",
        },
    )
    assert response.status_code == 302
    ot.refresh_from_db()
    assert ot.status == ItemStatus.RETURNED and ot.returned_by == ours.spoc


def test_a_second_providers_advice_stays_hidden_from_the_first(world, ours, theirs, case, login):
    theirs.provider.served_las.add(ours.la)
    their_request = request_advice(case, theirs, services=[Service.SLT], provider=theirs.provider)
    their_item = their_request.items.get()
    advice_return(
        item=their_item,
        user=theirs.slt_practitioner,
        returned_on=NOTIFIED,
        content={"description_of_needs": "Their secret needs", "provision_required": "p", "outcomes": "o"},
    )
    advice_request, slt, _ = world
    case_url = reverse("assessments:case_detail", args=[case.pk])

    # The advice section of the case page lists only our provider's teams and advice.
    ours_page = login(ours.slt_practitioner).get(case_url).content.decode()
    assert "Their secret needs" not in ours_page
    assert reverse("advice:item_detail", args=[their_item.pk]) not in ours_page
    assert reverse("advice:request_detail", args=[their_request.pk]) not in ours_page
    assert login(ours.spoc).get(reverse("advice:item_detail", args=[their_item.pk])).status_code == 404

    their_spoc = login(theirs.spoc)
    their_page = their_spoc.get(case_url).content.decode()
    assert reverse("advice:item_detail", args=[slt.pk]) not in their_page
    assert reverse("advice:document_download", args=[slt.pk]) not in their_page
    assert reverse("advice:item_detail", args=[their_item.pk]) in their_page
    for url in (
        reverse("advice:request_detail", args=[advice_request.pk]),
        reverse("advice:item_detail", args=[slt.pk]),
        reverse("advice:document_download", args=[slt.pk]),
    ):
        assert their_spoc.get(url).status_code == 404
        assert login(theirs.slt_practitioner).get(url).status_code == 404

    # The LA sees both providers' advice.
    officer_page = login(ours.case_officer).get(case_url).content.decode()
    assert reverse("advice:item_detail", args=[slt.pk]) in officer_page
    assert reverse("advice:item_detail", args=[their_item.pk]) in officer_page
    assert (
        login(ours.case_officer).get(reverse("advice:item_detail", args=[their_item.pk])).status_code == 200
    )


def test_a_team_the_spoc_removed_does_not_see_the_other_teams_advice(world, ours, login):
    advice_request, slt, ot = world
    advice_acknowledge(
        advice_request=advice_request,
        user=ours.spoc,
        answers=[
            TeamAnswer(team=ours.slt, known_status=KnownStatus.KNOWN_OPEN),
            TeamAnswer(team=ours.ot, known_status=NOT_INVOLVED, removed_reason="Discharged in 2024"),
        ],
    )
    client = login(ours.ot_practitioner)
    assert client.get(reverse("advice:item_detail", args=[slt.pk])).status_code == 404
    assert client.get(reverse("advice:document_download", args=[slt.pk])).status_code == 404
    assert client.get(reverse("advice:item_detail", args=[ot.pk])).status_code == 200


def test_the_download_is_an_attachment_with_nosniff_and_its_real_type(world, ours, login):
    _, slt, _ = world
    response = login(ours.case_officer).get(reverse("advice:document_download", args=[slt.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{slt.case.reference}-slt-ours.pdf"' in response["Content-Disposition"]


def test_the_la_of_another_case_cannot_request_advice(world, theirs, ours, case, login):
    response = login(theirs.case_officer).post(
        reverse("advice:request_create", args=[case.pk]),
        {"provider": ours.provider.pk, "services_named": [Service.SLT]},
    )
    assert response.status_code == 404
    assert AdviceItem.objects.filter(case=case).count() == 2


def test_the_draft_plan_page_is_for_the_la_only(world, ours, case, login):
    assert case.status == CaseStatus.ASSESSING
    for user in (ours.spoc, ours.slt_practitioner, ours.dco):
        assert login(user).get(reverse("advice:draft_plan_record", args=[case.pk])).status_code == 404


def test_the_la_may_record_not_provided_or_an_exception_but_not_return_advice(world, ours, login):
    _, _, ot = world
    client = login(ours.case_officer)
    data = {
        **date_fields("returned_on", NOTIFIED),
        "description_of_needs": "n",
        "provision_required": "p",
        "outcomes": "o",
    }
    assert client.post(reverse("advice:item_return", args=[ot.pk]), data).status_code == 404
    response = client.post(
        reverse("advice:item_exception", args=[ot.pk]), {"reason": "away", "detail": "Abroad"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("advice:item_not_provided", args=[ot.pk]),
        {
            "reason": "other",
            "detail": "DCO said so",
            "decided_by": "DCO",
            **date_fields("decided_on", NOTIFIED),
        },
    )
    assert response.status_code == 302
    ot.refresh_from_db()
    assert ot.status == ItemStatus.NOT_PROVIDED and ot.exception_reason == "away"
    # The AD may look but not record.
    assert login(ours.ad).get(reverse("advice:item_exception", args=[ot.pk])).status_code == 404


def _guardian_says(user, codename, obj):
    from guardian.core import ObjectPermissionChecker

    return user.is_active and ObjectPermissionChecker(user).has_perm(codename, obj)


def test_acting_as_spoc_reads_the_users_row_and_agrees_with_guardian(ours, theirs, django_assert_num_queries):
    """The SPOC right is read off the user's own row (no query), and gives guardian's answer for every
    person of both worlds on both providers and all their teams."""
    from django.db.models import Q

    from ehc.access import can_act_as_spoc, can_answer_escalation, can_return_for_team
    from ehc.models import Role, User
    from tests.factories import UserFactory

    # Beside both worlds' people: the SPOC role held outside a provider, a SPOC who has left, and a
    # SPOC who also writes advice for a team.
    UserFactory(username="spoc-at-the-la", organisation=ours.la, roles=[Role.SPOC])
    UserFactory(username="spoc-who-left", organisation=ours.provider, roles=[Role.SPOC], is_active=False)
    UserFactory(
        username="spoc-and-slt", organisation=ours.provider, roles=[Role.SPOC, Role.PRACTITIONER], teams=[ours.slt]
    )
    people = list(
        User.objects.filter(
            Q(username__endswith="-ours") | Q(username__endswith="-theirs") | Q(username__startswith="spoc-")
        ).select_related("organisation")
    )
    assert len(people) == 16 + 3
    for user in people:
        for world in (ours, theirs):
            assert can_act_as_spoc(user, world.provider) == _guardian_says(user, "act_as_spoc", world.provider)
            for team in (world.slt, world.ot, world.paeds):
                spoc = _guardian_says(user, "act_as_spoc", world.provider)
                assert can_return_for_team(user, team) == (spoc or _guardian_says(user, "return_advice", team))
                assert can_answer_escalation(user, team) == (
                    spoc or _guardian_says(user, "answer_escalation", team)
                )
    spoc = User.objects.select_related("organisation").get(pk=ours.spoc.pk)
    with django_assert_num_queries(0):
        assert can_act_as_spoc(spoc, spoc.organisation)


def test_a_spoc_right_granted_by_hand_through_guardian_still_counts(ours, theirs):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    from ehc.access import can_act_as_spoc
    from ehc.models import Role, User

    cover = User.objects.get(pk=ours.slt_practitioner.pk)
    assert not can_act_as_spoc(cover, ours.provider)
    group = Group.objects.create(name="Cover for the SPOC")
    assign_perm("ehc.act_as_spoc", group, ours.provider)
    cover.groups.add(group)
    cover = User.objects.get(pk=cover.pk)  # guardian caches per user object
    assert can_act_as_spoc(cover, ours.provider)
    assert not can_act_as_spoc(cover, theirs.provider)
    # A SPOC who is deactivated, or loses the role, loses the right at once.
    spoc = User.objects.get(pk=ours.spoc.pk)
    spoc.roles = [Role.PRACTITIONER]
    spoc.save()
    assert not can_act_as_spoc(User.objects.get(pk=spoc.pk), ours.provider)


def test_a_practitioner_sees_their_teams_items_through_one_indexed_equality(
    queue_of_items, ours, django_assert_num_queries
):
    """visible_advice_items for a practitioner: exactly the items of their teams at their provider, in
    one query whose team filter is `team_id = ANY(<their teams>)` (the plan of a list of ids: the
    partial index on provider or team and due date), not a join through team members."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advice.access import visible_advice_items
    from ehc.models import User

    for practitioner in (ours.slt_practitioner, ours.ot_practitioner, ours.head_of_service):
        user = User.objects.select_related("organisation").get(pk=practitioner.pk)
        user.roles = ["practitioner"]  # the head of service, in three teams, seen as a practitioner
        expected = set(
            AdviceItem.objects.filter(provider=ours.provider, team__in=practitioner.teams.all()).values_list(
                "pk", flat=True
            )
        )
        assert expected
        with CaptureQueriesContext(connection) as queries:
            seen = set(visible_advice_items(user).values_list("pk", flat=True))
        assert seen == expected
        (sql,) = [query["sql"] for query in queries.captured_queries]
        assert '"team_id" = ANY((ARRAY(SELECT' in sql and "JOIN" not in sql


@pytest.fixture
def queue_of_items(ours, theirs, travel):
    from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

    travel(NOTIFIED)
    for world in (ours, theirs):
        for teams in ([world.slt], [world.ot, world.paeds], [world.slt, world.ot]):
            case = CaseFactory(local_authority=world.la, status=CaseStatus.ASSESSING)
            advice_request = AdviceRequestFactory(
                case=case, provider=world.provider, notified_on=NOTIFIED, requested_by=world.case_officer
            )
            for team in teams:
                AdviceItemFactory(request=advice_request, team=team)
