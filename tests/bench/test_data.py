"""The bench data generator at tiny scale: the shapes issue 8 asks for, and a state the timing rules agree with."""

import datetime

import pytest
from django.db import connection

from bench import BENCH_PREVIOUS_NOW, BENCH_PREVIOUS_WORKING_DAY, BENCH_TODAY, data, floors
from ehc.workdays import WorkingCalendar

pytestmark = pytest.mark.django_db


def fetch(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_counts_and_organisations(tiny):
    assert tiny["requests"] == 600
    assert tiny["providers"] == 3 and tiny["local_authorities"] == 3 and tiny["teams"] == 12
    assert 600 <= tiny["items"] <= 4 * 600
    assert 0.05 < tiny["outstanding"] / tiny["items"] < 0.35
    assert 0 < tiny["overdue"] < tiny["outstanding"]
    assert tiny["due_now"] > 0
    assert data.meta()["scale"] == "tiny"


def test_items_carry_their_request_provider_la_and_case(tiny):
    [(mismatched,)] = fetch(
        """SELECT count(*) FROM advice_adviceitem i JOIN advice_advicerequest r ON r.id = i.request_id
           JOIN ehc_team t ON t.id = i.team_id
           WHERE i.provider_id <> r.provider_id OR i.local_authority_id <> r.local_authority_id
              OR i.case_id <> r.case_id OR i.due_on <> r.due_on OR t.provider_id <> i.provider_id"""
    )
    assert mismatched == 0
    [(low, high)] = fetch(
        "SELECT min(n), max(n) FROM (SELECT count(*) AS n FROM advice_adviceitem GROUP BY request_id) s"
    )
    assert 1 <= low and high <= 4


def test_requests_go_to_providers_that_serve_the_la(tiny):
    [(unserved,)] = fetch(
        """SELECT count(*) FROM advice_advicerequest r WHERE NOT EXISTS (
               SELECT 1 FROM ehc_organisation_served_las s
               WHERE s.from_organisation_id = r.provider_id AND s.to_organisation_id = r.local_authority_id)"""
    )
    assert unserved == 0


def test_outstanding_items_are_where_the_timing_rules_put_them_after_yesterdays_sweep(tiny):
    """Defaults of LocalAuthoritySettings: chase the first working day after due, escalation 1 on the first
    working day on or after due + 14, escalation 2 on the first on or after escalation 1 + 14."""
    calendar = WorkingCalendar()
    rows = fetch(
        """SELECT id, due_on, stage, next_action_on, chased_on, escalation_1_on, escalation_2_on
           FROM advice_adviceitem WHERE status = 'outstanding'"""
    )
    assert rows
    for item_id, due_on, stage, next_action_on, chased_on, escalation_1_on, escalation_2_on in rows:
        chase = calendar.after(due_on)
        escalation_1 = calendar.on_or_after(due_on + datetime.timedelta(days=14))
        escalation_2 = calendar.on_or_after(escalation_1 + datetime.timedelta(days=14))
        if escalation_2 <= BENCH_PREVIOUS_WORKING_DAY:
            expected = ("escalation_2", None)
        elif escalation_1 <= BENCH_PREVIOUS_WORKING_DAY:
            expected = ("escalation_1", escalation_2)
        elif chase <= BENCH_PREVIOUS_WORKING_DAY:
            expected = ("chased", escalation_1)
        else:
            expected = ("requested", due_on if due_on >= BENCH_TODAY else chase)
        assert (stage, next_action_on) == expected, item_id
        assert chased_on == (chase if stage != "requested" else None)
        assert escalation_1_on == (escalation_1 if stage in ("escalation_1", "escalation_2") else None)
        assert escalation_2_on == (escalation_2 if stage == "escalation_2" else None)


def test_nothing_was_due_yesterday_and_something_is_due_today(tiny):
    with connection.cursor() as cursor:
        assert floors.sweep_nothing_due(cursor.cursor, today=BENCH_PREVIOUS_WORKING_DAY, now=BENCH_PREVIOUS_NOW) == 0
    [(due,)] = fetch(
        "SELECT count(*) FROM advice_adviceitem WHERE status = 'outstanding' AND next_action_on <= %s", [BENCH_TODAY]
    )
    assert due == tiny["due_now"] > 0


def test_escalations_letters_and_emails_match_the_stages_reached(tiny):
    [(missing_escalation,)] = fetch(
        """SELECT count(*) FROM advice_adviceitem i WHERE i.status = 'outstanding' AND i.stage <> 'requested'
           AND NOT EXISTS (SELECT 1 FROM escalation_escalation e WHERE e.request_id = i.request_id
                           AND e.stage = CASE i.stage WHEN 'chased' THEN 'chase' ELSE i.stage END)"""
    )
    assert missing_escalation == 0
    [(escalations, first_letters, letters, emails, stage_changes, expected_changes)] = fetch(
        """SELECT (SELECT count(*) FROM escalation_escalation),
                  (SELECT count(*) FROM escalation_escalation WHERE stage = 'escalation_1'),
                  (SELECT count(*) FROM escalation_letter),
                  (SELECT count(*) FROM ehc_outboundemail),
                  (SELECT count(*) FROM escalation_stagechange),
                  (SELECT coalesce(sum(CASE stage WHEN 'chased' THEN 1 WHEN 'escalation_1' THEN 2
                                       WHEN 'escalation_2' THEN 3 ELSE 0 END), 0)
                   FROM advice_adviceitem WHERE status = 'outstanding')"""
    )
    assert letters == first_letters > 0
    assert emails == escalations
    assert stage_changes == expected_changes


def test_closed_items_have_no_timer_and_a_closing_date(tiny):
    [(bad,)] = fetch(
        """SELECT count(*) FROM advice_adviceitem WHERE status <> 'outstanding'
           AND (next_action_on IS NOT NULL OR closed_on IS NULL OR closed_on >= %s)""",
        [BENCH_TODAY],
    )
    assert bad == 0


def test_every_returned_item_has_its_return(tiny):
    [(returned, returns)] = fetch(
        """SELECT (SELECT count(*) FROM advice_adviceitem WHERE status = 'returned'),
                  (SELECT count(*) FROM advice_advicereturn)"""
    )
    assert returned == returns > 0


def test_users_hold_the_permissions_user_sync_permissions_gives(tiny):
    from ehc.access import can_act_as_spoc, can_return_for_team
    from ehc.models import Team, User

    spoc = User.objects.filter(roles__contains=["spoc"]).first()
    practitioner = User.objects.filter(roles__contains=["practitioner"]).first()
    own_team = practitioner.teams.get()
    other_team = Team.objects.filter(provider=own_team.provider).exclude(pk=own_team.pk).first()
    assert can_act_as_spoc(spoc, spoc.organisation)
    assert not can_act_as_spoc(practitioner, practitioner.organisation)
    assert can_return_for_team(practitioner, own_team)
    assert not can_return_for_team(practitioner, other_team)


def test_a_rebuild_gives_the_same_data_set(tiny):
    counts = data.build("tiny", out=None)
    assert {key: counts[key] for key in ("items", "outstanding", "overdue", "due_now", "escalations")} == {
        key: int(tiny[key]) for key in ("items", "outstanding", "overdue", "due_now", "escalations")
    }


def test_refuses_a_database_holding_other_data(tiny):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {data.META_TABLE}")  # as if the rows were someone else's
    with pytest.raises(data.BenchDataRefused, match="did not make"):
        data.build("tiny", out=None)
