"""Cases, requests for health advice, their tracked items (each one's fate drawn from how long ago it
fell due), the case status the advice gives, and the returns."""

from .base import DUE_TABLE, at, insert


def requests(cursor, scale, params):
    """A staging table of requests (temp), then the cases and requests from it: one case per request."""
    cursor.execute("DROP TABLE IF EXISTS bench_req")

    def bucket(column, cumulative):
        # CASE over literal thresholds: far cheaper per row than a subquery over an array.
        whens = " ".join(f"WHEN {column} < {float(limit)!r} THEN {index}" for index, limit in enumerate(cumulative))
        return f"(CASE {whens} ELSE {len(cumulative)} END)"

    cursor.execute(
        f"""CREATE TEMP TABLE bench_req AS
        SELECT y.*, y.notified_on + 42 AS due_on, y.notified_on - y.notify_lag - y.decision_lag AS received_on,
               %(la_base)s + 1 + y.la_i AS la_id,
               %(provider_base)s + 1 + mod(y.la_i + y.p_i * %(stride)s, %(n_providers)s) AS provider_id,
               %(u_la_base)s + 1 + y.la_i * %(la_user_block)s + mod(y.id, %(officers)s) AS officer_id
        FROM (
            SELECT r AS id,
                   floor(%(n_las)s * power(u_la, 1.6))::int AS la_i,
                   {bucket("u_p", params["provider_cumulative"][:-1])} AS p_i,
                   %(today)s::date - floor(u_day * %(history_days)s)::int AS notified_on,
                   least(%(tpp)s, 1 + {bucket("u_k", params["team_cumulative"])}) AS k,
                   floor(random() * %(tpp)s)::int AS s,
                   1 + floor(random() * 9)::int AS ack_lag,
                   25 + floor(random() * 18)::int AS decision_lag,
                   floor(random() * 4)::int AS notify_lag,
                   2 + floor(random() * 16)::int AS age_years
            FROM (SELECT r, random() AS u_la, random() AS u_p, random() AS u_k, random() AS u_day
                  FROM generate_series(1, %(requests)s) r) g
        ) y""",
        params,
    )
    cursor.execute("ALTER TABLE bench_req ADD PRIMARY KEY (id)")
    cursor.execute("ANALYZE bench_req")
    draft_sent = "r.received_on + 110"
    # One child per case (as many children as requests: the search scenario, B11, looks among them),
    # with the case's id; every one has a valid NHS number in the 999 test range, made from its id.
    nhs9 = "(999000000 + mod(r.id, 1000000))::text"
    nhs_check = (
        "mod(11 - mod((SELECT sum(substr(" + nhs9 + ", k, 1)::int * (11 - k)) FROM generate_series(1, 9) k)::int,"
        " 11), 11)"
    )
    insert(
        cursor,
        "assessments.Child",
        {
            "id": "r.id",
            "created_at": at("r.received_on", "09:00"),
            "updated_at": at("r.received_on", "09:00"),
            "local_authority_id": "r.la_id",
            "first_name": "(%(first_names)s::text[])[1 + mod(r.id * 7, %(n_first)s)]",
            "last_name": "(%(last_names)s::text[])[1 + mod(r.id * 13, %(n_last)s)]",
            "date_of_birth": "r.received_on - r.age_years * 365 - mod(r.id, 300)::int",
            "nhs_number": f"CASE WHEN {nhs_check} < 10 THEN {nhs9} || {nhs_check} ELSE '' END",
            "postcode": "'BT' || (1 + mod(r.id, 9)) || ' ' || (1 + mod(r.id, 7)) || 'AB'",
            "setting": "'Bench Primary School ' || (1 + mod(r.id, 40))",
        },
        "FROM bench_req r",
        params,
    )
    insert(
        cursor,
        "assessments.Case",
        {
            "id": "r.id",
            "created_at": at("r.received_on", "09:00"),
            "updated_at": at("r.notified_on", "09:00"),
            "reference": "'EHC-' || to_char(r.received_on, 'YYYY') || '-' || lpad(r.id::text, 7, '0')",
            "local_authority_id": "r.la_id",
            "case_officer_id": "r.officer_id",
            # Settled from the advice in _case_status; closed by default once the 20 weeks are well past.
            "status": "CASE WHEN r.received_on + 150 < %(today)s THEN 'plan_issued' "
            f"WHEN {draft_sent} < %(today)s THEN 'draft_plan' ELSE 'assessing' END",
            "child_id": "r.id",
            "requested_by": "CASE WHEN mod(r.id, 10) < 6 THEN 'parent' ELSE 'setting' END",
            "received_on": "r.received_on",
            "family_views": "'The family want the people who know their child best to describe what helps.'",
            "decision_on": "r.received_on + r.decision_lag",
            "decided_to_assess": "true",
            "draft_plan_sent_on": f"CASE WHEN {draft_sent} < %(today)s THEN {draft_sent} END",
            "final_plan_issued_on": "CASE WHEN r.received_on + 150 < %(today)s THEN r.received_on + 140 END",
            "closed_on": "CASE WHEN r.received_on + 150 < %(today)s THEN r.received_on + 140 END",
            "next_statutory_date": "CASE WHEN r.received_on + 150 < %(today)s THEN NULL "
            f"WHEN {draft_sent} < %(today)s THEN r.received_on + 140 ELSE r.received_on + 125 END",
        },
        "FROM bench_req r",
        params,
    )
    acknowledged = "r.notified_on + r.ack_lag <= %(yesterday)s"
    insert(
        cursor,
        "advice.AdviceRequest",
        {
            "id": "r.id",
            "created_at": at("r.notified_on"),
            "updated_at": at("r.notified_on"),
            "case_id": "r.id",
            "provider_id": "r.provider_id",
            "local_authority_id": "r.la_id",
            "services_named": "ARRAY[(%(services)s::text[])[1 + r.s]]::varchar[]",
            "message": "'Please send your advice using the Appendix C headings.'",
            "notified_on": "r.notified_on",
            "due_on": "r.due_on",
            "requested_by_id": "r.officer_id",
            "acknowledged_at": f"CASE WHEN {acknowledged} THEN {at('r.notified_on + r.ack_lag', '11:00')} END",
            "acknowledged_by_id": f"CASE WHEN {acknowledged} THEN %(u_provider_base)s + 1 + 2 * (r.provider_id "
            "- %(provider_base)s - 1) END",
        },
        "FROM bench_req r",
        params,
    )


def items(cursor, params):
    """Each item's fate by how long ago it fell due, then its stage and dates as of yesterday's sweep
    (outstanding) or as of the day before it closed (closed). About 10% end up outstanding."""
    outstanding_p = """CASE WHEN x.notified_on >= %(yesterday)s THEN 1.0
        WHEN x.age <= 0 THEN 0.85 WHEN x.age < 14 THEN 0.45 WHEN x.age < 28 THEN 0.25
        WHEN x.age < 60 THEN 0.12 ELSE 0.035 END"""
    delta = """CASE WHEN x.u3 < 0.62 THEN -floor(x.u3 * 32)::int
        WHEN x.u3 < 0.80 THEN 1 + floor((x.u3 - 0.62) * 72)::int
        WHEN x.u3 < 0.90 THEN 14 + floor((x.u3 - 0.80) * 170)::int
        ELSE 31 + floor((x.u3 - 0.90) * 300)::int END"""
    inner = f"""
        SELECT x.*, CASE WHEN x.u1 < {outstanding_p} THEN 'outstanding'
                         WHEN x.u2 < 0.93 THEN 'returned' WHEN x.u2 < 0.97 THEN 'not_provided'
                         WHEN x.u2 < 0.99 THEN 'removed' ELSE 'cancelled' END AS status,
               least(%(yesterday)s::date, greatest(x.notified_on + 1, x.due_on + {delta})) AS closed_date
        FROM (
            SELECT r.id AS request_id, r.provider_id, r.la_id, r.notified_on, r.due_on, r.ack_lag, j,
                   1 + (r.provider_id - %(provider_base)s - 1) * %(tpp)s + mod(r.s + j, %(tpp)s) AS team_id,
                   %(today)s::date - r.due_on AS age, random() AS u1, random() AS u2, random() AS u3,
                   random() AS u4, random() AS u5,
                   d.chase_on, d.esc1_on, d.esc2_on, d.hos_due
            FROM bench_req r CROSS JOIN LATERAL generate_series(0, r.k - 1) j
            JOIN {DUE_TABLE} d ON d.due_on = r.due_on
            ORDER BY r.id, j
        ) x"""
    staged = f"""
        SELECT y.*, CASE WHEN y.esc2_on < y.asof THEN 'escalation_2' WHEN y.esc1_on < y.asof THEN 'escalation_1'
                         WHEN y.chase_on < y.asof THEN 'chased' ELSE 'requested' END AS stage
        FROM (SELECT z.*, CASE WHEN z.status = 'outstanding' THEN %(today)s::date ELSE z.closed_date END AS asof
              FROM ({inner}) z) y"""
    is_out = "s.status = 'outstanding'"
    last_touched = "greatest(s.notified_on, least(s.asof - 1, %(yesterday)s))"
    hos_answered = f"{is_out} AND s.stage = 'escalation_2' AND s.hos_due < %(today)s AND s.u4 < 0.5"
    insert(
        cursor,
        "advice.AdviceItem",
        {
            "created_at": at("s.notified_on"),
            "updated_at": f"CASE WHEN {is_out} THEN {at(last_touched, '10:00')} "
            f"ELSE {at('s.closed_date', '12:00')} END",
            "request_id": "s.request_id",
            "team_id": "s.team_id",
            "provider_id": "s.provider_id",
            "local_authority_id": "s.la_id",
            "case_id": "s.request_id",
            "due_on": "s.due_on",
            "known_status": "CASE WHEN s.notified_on + s.ack_lag > %(yesterday)s THEN 'unconfirmed' "
            "WHEN s.u5 < 0.45 THEN 'known_open' WHEN s.u5 < 0.60 THEN 'known_closed' "
            "WHEN s.u5 < 0.85 THEN 'not_known' ELSE 'waiting_list' END",
            "named_by_family": "s.j < 2",
            "added_by_spoc": "s.j >= 2",
            "status": "s.status",
            "removed_reason": "CASE WHEN s.status = 'removed' THEN 'The child is not known to the team' ELSE '' END",
            "stage": "s.stage",
            "next_action_on": f"""CASE WHEN NOT {is_out} THEN NULL
                WHEN s.stage = 'requested' THEN CASE WHEN s.due_on >= %(today)s THEN s.due_on ELSE s.chase_on END
                WHEN s.stage = 'chased' THEN s.esc1_on WHEN s.stage = 'escalation_1' THEN s.esc2_on END""",
            "chased_on": "CASE WHEN s.stage <> 'requested' THEN s.chase_on END",
            "escalation_1_on": "CASE WHEN s.stage IN ('escalation_1', 'escalation_2') THEN s.esc1_on END",
            "escalation_2_on": "CASE WHEN s.stage = 'escalation_2' THEN s.esc2_on END",
            "head_of_service_response_due_on": "CASE WHEN s.stage = 'escalation_2' THEN s.hos_due END",
            "promised_on": f"CASE WHEN {hos_answered} THEN s.esc2_on + 20 + floor(s.u3 * 60)::int END",
            # Every promise passed before BENCH_TODAY counts as told already (escalation.sweep.promises): the
            # floors have no promise step, so no scenario sends one.
            "promise_passed_notified_on": f"CASE WHEN {hos_answered} AND s.esc2_on + 20 + floor(s.u3 * 60)::int "
            "< %(today)s THEN s.esc2_on + 20 + floor(s.u3 * 60)::int END",
            "delay_reason": f"CASE WHEN {hos_answered} THEN 'capacity' ELSE '' END",
            "delay_detail": f"CASE WHEN {hos_answered} THEN 'The team is short of staff this term.' ELSE '' END",
            "head_of_service_responded_at": f"CASE WHEN {hos_answered} THEN {at('s.esc2_on + 4', '14:00')} END",
            "head_of_service_responded_by_id": f"CASE WHEN {hos_answered} THEN %(u_provider_base)s + 2 + 2 * "
            "(s.provider_id - %(provider_base)s - 1) END",
            "returned_on": "CASE WHEN s.status = 'returned' THEN s.closed_date END",
            "returned_by_id": "CASE WHEN s.status = 'returned' THEN %(u_team_base)s + s.team_id END",
            "not_provided_reason": "CASE WHEN s.status = 'not_provided' THEN "
            "CASE WHEN s.u5 < 0.5 THEN 'not_required' ELSE 'capacity' END ELSE '' END",
            "not_provided_detail": "CASE WHEN s.status = 'not_provided' THEN 'Recorded by the team.' ELSE '' END",
            "not_provided_decided_by": "CASE WHEN s.status = 'not_provided' THEN 'Head of service' ELSE '' END",
            "closed_on": "CASE WHEN s.status <> 'outstanding' THEN s.closed_date END",
        },
        f"FROM ({staged}) s",
        params,
    )


def case_status(cursor, params):
    """A case with advice still outstanding is still being assessed, whatever its age."""
    cursor.execute(
        """UPDATE assessments_case c SET status = CASE WHEN c.draft_plan_sent_on IS NULL THEN 'assessing'
                                                   ELSE 'draft_plan' END,
               final_plan_issued_on = NULL, closed_on = NULL,
               next_statutory_date = CASE WHEN c.draft_plan_sent_on IS NULL THEN c.received_on + 125
                                          ELSE c.received_on + 140 END
           FROM (SELECT DISTINCT case_id FROM advice_adviceitem WHERE status = 'outstanding') o
           WHERE c.id = o.case_id AND c.status = 'plan_issued'"""
    )


def returns(cursor, params):
    insert(
        cursor,
        "advice.AdviceReturn",
        {
            "created_at": at("i.returned_on", "12:00"),
            "updated_at": at("i.returned_on", "12:00"),
            "item_id": "i.id",
            "document": "''",
            "description_of_needs": "'Needs as seen by the team over the last year.'",
            "provision_required": "'Weekly sessions with the team for two terms.'",
            "outcomes": "'The child can take part in lessons with less adult support.'",
            "returned_by_id": "i.returned_by_id",
        },
        "FROM advice_adviceitem i WHERE i.status = 'returned' ORDER BY i.id",
        params,
    )
