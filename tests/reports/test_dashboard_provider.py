"""The dashboard narrowed to one health provider: a DCO (or an LA's managers) chooses from the
providers they may see; anything else is an error on the form and the whole scope is shown, never
another provider's or another area's rows."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceItem, ItemStatus, Stage
from ehc.models import MessageKind, MessageStatus, OutboundEmail, Service
from escalation.models import Escalation, EscalationStage
from reports.selectors import overdue

from ..factories import ProviderFactory, TeamFactory
from .helpers import item

DAY = datetime.timedelta(days=1)


@pytest.fixture
def second(ours):
    """A second provider serving our LA, with one team: `ours` with its provider swapped."""
    provider = ProviderFactory(name="Second Provider", short_name="P-2", spoc_email="spoc@second.example")
    provider.served_las.add(ours.la)
    team = TeamFactory(provider=provider, name="CAMHS Second", service=Service.CAMHS)
    return SimpleNamespace(**{**vars(ours), "provider": provider, "slt": team})


def _owed(world, *, today, due):
    """An item at escalation 2 whose head of service has not answered, and its request's escalation 1
    letter still awaiting the DCO's response."""
    advice = item(
        world,
        notified_on=today - 90 * DAY,
        stage=Stage.ESCALATION_2,
        escalation_1_on=today - 34 * DAY,
        escalation_2_on=today - 20 * DAY,
        head_of_service_response_due_on=due,
    )
    Escalation.objects.create(
        request=advice.request,
        stage=EscalationStage.ESCALATION_1,
        issued_on=today - 34 * DAY,
        response_due_on=due,
        provider=world.provider,
        local_authority=world.la,
    )
    OutboundEmail.objects.create(
        kind=MessageKind.ESCALATION_1,
        dedupe_key=f"failing:{advice.request_id}",
        case=advice.case,
        advice_request=advice.request,
        to=["director@provider.example"],
        subject=f"Escalation 1 for {advice.case.reference}",
        body_text="Letter attached",
        status=MessageStatus.FAILED,
        attempts=4,
        last_error="550 mailbox unavailable",
    )
    return advice


@pytest.fixture
def both(ours, second, theirs, on_today):
    """Overdue items of both providers in our area, and of their area's provider."""
    return SimpleNamespace(
        ours=[item(ours, notified_on=on_today - days * DAY) for days in (50, 60, 70)]
        + [_owed(ours, today=on_today, due=on_today - 2 * DAY)],
        second=[item(second, notified_on=on_today - 55 * DAY), _owed(second, today=on_today, due=on_today - DAY)],
        theirs=[_owed(theirs, today=on_today, due=on_today - 3 * DAY)],
    )


def _page(response):
    return response.content.decode()


def test_dco_narrows_every_figure_and_list_to_the_chosen_provider(ours, second, login, on_today, both):
    client = login(ours.dco)
    whole = client.get(reverse("reports:dashboard")).context["figures"]
    assert whole.total == 6
    assert {row["provider_id"] for row in whole.by_provider} == {ours.provider.pk, second.provider.pk}

    response = client.get(reverse("reports:dashboard"), {"provider": second.provider.pk})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.total == 2
    assert [row["provider_id"] for row in figures.by_provider] == [second.provider.pk]
    assert [row["team_id"] for row in figures.by_team] == [second.slt.pk]
    assert [row.pk for row in figures.head_of_service_owed] == [both.second[1].pk]
    assert [row.provider_name for row in figures.escalation_1_owed] == [second.provider.name]
    assert [email.case_id for email in figures.failed_emails] == [both.second[1].case_id]
    page = _page(response)
    assert "There is a problem" not in page
    # The caption says whose figures these are.
    assert f"{second.provider.name} in all local authorities in your area" in page
    assert f"provider={second.provider.pk}" in response.context["base_query"]
    for advice in both.ours:
        assert advice.case.reference not in page
    assert both.second[1].case.reference in page
    # The counts link to the list narrowed the same way.
    assert f"?stage=past_due&amp;provider={second.provider.pk}" in page


def test_the_choices_are_the_providers_the_user_may_see(ours, second, theirs, login, on_today, both):
    for user in (ours.dco, ours.ad):
        choices = list(login(user).get(reverse("reports:dashboard")).context["form"].fields["provider"].queryset)
        assert choices == [ours.provider, second.provider], user
    theirs_choices = login(theirs.dco).get(reverse("reports:dashboard")).context["form"].fields["provider"]
    assert list(theirs_choices.queryset) == [theirs.provider]


def test_a_provider_with_advice_outstanding_here_is_a_choice_even_if_it_does_not_serve_the_la(ours, login, on_today):
    visiting = ProviderFactory(name="Visiting Provider", short_name="P-V", spoc_email="spoc@visiting.example")
    team = TeamFactory(provider=visiting, name="Orthoptics Visiting", service=Service.ORTHOPTICS)
    advice = item(SimpleNamespace(**{**vars(ours), "provider": visiting, "slt": team}), notified_on=on_today - 50 * DAY)
    client = login(ours.dco)
    assert visiting in client.get(reverse("reports:dashboard")).context["form"].fields["provider"].queryset
    response = client.get(reverse("reports:dashboard"), {"provider": visiting.pk})
    assert response.context["figures"].total == 1
    assert advice.case.reference in _page(client.get(reverse("reports:items"), {"provider": visiting.pk}))


@pytest.mark.parametrize("value", ["theirs", "abc", "99999999", "1.5", "' OR 1=1 --"])
def test_a_provider_the_user_may_not_see_or_junk_is_an_error_and_the_whole_area_is_shown(
    ours, second, theirs, login, on_today, both, value
):
    provider = theirs.provider.pk if value == "theirs" else value
    client = login(ours.dco)
    response = client.get(reverse("reports:dashboard"), {"provider": provider})
    assert response.status_code == 200
    page = _page(response)
    assert "There is a problem" in page
    assert "Select a provider from the list" in page
    # The summary links to the select itself (GOV.UK: the error summary's links move focus to the field).
    assert 'href="#id_provider"' in page and 'id="id_provider"' in page
    figures = response.context["figures"]
    assert figures.total == 6
    assert response.context["provider"] is None
    assert "provider=" not in response.context["base_query"]
    assert {row["provider_id"] for row in figures.by_provider} == {ours.provider.pk, second.provider.pk}
    # Nothing of the other area comes through, in any list.
    assert both.theirs[0].case.reference not in page
    assert theirs.provider.name not in page


def test_a_valid_la_with_a_bad_provider_shows_the_whole_area(ours, theirs, login, on_today, both):
    response = login(ours.dco).get(reverse("reports:dashboard"), {"la": ours.la.pk, "provider": theirs.provider.pk})
    assert response.status_code == 200
    assert "There is a problem" in _page(response)
    assert response.context["local_authority"] is None
    assert response.context["figures"].total == 6


def test_an_la_manager_narrows_to_a_provider_of_their_la_only(ours, second, theirs, login, on_today, both):
    client = login(ours.ad)
    narrowed = client.get(reverse("reports:dashboard"), {"provider": ours.provider.pk})
    assert narrowed.context["figures"].total == 4
    refused = client.get(reverse("reports:dashboard"), {"provider": theirs.provider.pk})
    assert "There is a problem" in _page(refused)
    assert refused.context["figures"].total == 6
    assert both.theirs[0].case.reference not in _page(refused)


def test_the_other_area_sees_nothing_of_ours_through_the_selector_either(ours, theirs, on_today, both):
    # The page never passes a provider outside the user's choices; if a caller did, the scope still holds.
    figures = overdue.dashboard(user=theirs.dco, today=on_today, provider=ours.provider)
    assert figures.total == 0
    assert figures.by_provider == [] and figures.by_team == []
    assert figures.escalation_1_owed == [] and figures.head_of_service_owed == []
    assert figures.failed_emails == []


def test_a_provider_serving_two_areas_is_counted_in_the_dcos_area_only(ours, theirs, on_today, both):
    # With a provider chosen, the figures query leaves out the list of the area's LAs (the provider's
    # partial index finds its rows); the join through the DCO's ICB alone must still keep theirs out.
    ours.provider.served_las.add(theirs.la)
    there = item(ours, notified_on=on_today - 60 * DAY, la=theirs.la)
    assert there.local_authority_id == theirs.la.pk
    expected = set(
        AdviceItem.objects.filter(
            local_authority=ours.la, provider=ours.provider, status=ItemStatus.OUTSTANDING
        ).values_list("pk", flat=True)
    )
    narrowed = overdue.ItemFilters(provider=ours.provider)
    listed = overdue.outstanding_items(user=ours.dco, today=on_today, filters=narrowed)
    assert set(listed.values_list("pk", flat=True)) == expected
    figures = overdue.dashboard(user=ours.dco, today=on_today, provider=ours.provider)
    assert figures.total == len(expected)
    assert [row["outstanding"] for row in figures.by_provider] == [len(expected)]
    assert sum(row["outstanding"] for row in figures.by_team) == len(expected)
    assert overdue.dashboard(user=theirs.dco, today=on_today, provider=ours.provider).total == 1


def test_provider_staff_still_get_404_with_a_provider_filter(ours, login, on_today):
    for user in (ours.spoc, ours.head_of_service):
        response = login(user).get(reverse("reports:dashboard"), {"provider": ours.provider.pk})
        assert response.status_code == 404


def test_an_answered_escalation_leaves_the_provider_lists(ours, second, login, on_today, both):
    Escalation.objects.filter(provider=second.provider).update(responded_at=timezone.now())
    figures = login(ours.dco).get(reverse("reports:dashboard"), {"provider": second.provider.pk}).context["figures"]
    assert figures.escalation_1_owed == []
    assert [row.days_late for row in figures.head_of_service_owed] == [1]


def test_a_dco_whose_icb_has_no_las_yet_gets_an_empty_dashboard(login, on_today, both):
    from ehc.models import Role

    from ..factories import IcbFactory, UserFactory

    icb = IcbFactory(name="ICB Empty", short_name="ICB-E")
    dco = UserFactory(username="dco-empty", organisation=icb, roles=[Role.DCO])
    response = login(dco).get(reverse("reports:dashboard"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.total == 0
    assert all(count == 0 for _, _, count in figures.stages + figures.ages)
    assert figures.by_provider == [] and figures.escalation_1_owed == [] and figures.failed_emails == []
    assert list(response.context["form"].fields["provider"].queryset) == []


def test_with_a_provider_the_figures_read_by_provider_not_by_the_areas_las(ours, second, on_today, both):
    # Naming the area's LAs next to the provider made PostgreSQL AND the provider's whole history
    # with every outstanding item of the area (national: 187 ms against 95 ms without the list).
    with CaptureQueriesContext(connection) as queries:
        overdue.dashboard(user=ours.dco, today=on_today, provider=second.provider)
    (figures_sql,) = [query["sql"] for query in queries.captured_queries if "GROUPING SETS" in query["sql"]]
    assert '"local_authority_id" IN' not in figures_sql
    assert '"provider_id" = ' in figures_sql and '"icb_id" = ' in figures_sql
    with CaptureQueriesContext(connection) as queries:
        overdue.dashboard(user=ours.dco, today=on_today)
    (figures_sql,) = [query["sql"] for query in queries.captured_queries if "GROUPING SETS" in query["sql"]]
    assert '"local_authority_id" IN' in figures_sql
