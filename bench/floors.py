"""The hand-written SQL floors: the least work PostgreSQL must do for each scenario's result.

Plain SQL through a psycopg2 cursor, no ORM, each returning the same result the app must produce
(compared by the harness). They read the partial indexes the models declare, paginate by keyset,
aggregate in SQL and write set-based. Working-day arithmetic joins `bench_calendar` / `bench_due`
(bench.data), which hold what ehc.workdays and the default LA timings give for every day.
"""

from .data import CALENDAR_TABLE, DUE_TABLE

CLOSED_CASE_STATUSES = ("plan_issued", "not_assessing", "not_issuing", "withdrawn", "moved_away")


# B1 ----------------------------------------------------------------------------------------------


def sweep_nothing_due(cursor, *, today, now):
    """What a sweep tick must look at when nothing is due: three index probes, one round trip.
    Returns how many kinds of work are due (0 when nothing is)."""
    cursor.execute(
        """SELECT
            EXISTS (SELECT 1 FROM advice_adviceitem          -- item_due_action (index only)
                    WHERE status = 'outstanding' AND next_action_on <= %(today)s),
            -- escalation_response_unnotified, probed per LA (its leading column) in its order:
            -- with a bare EXISTS the planner picks a scan of the whole table when nothing matches
            EXISTS (SELECT 1 FROM ehc_organisation la
                    WHERE la.kind = 'la' AND la.is_active
                      AND (SELECT 1 FROM escalation_escalation e
                           WHERE e.local_authority_id = la.id AND e.responded_at IS NULL
                             AND e.response_due_on IS NOT NULL AND e.response_due_on < %(today)s
                             AND NOT e.response_overdue_notified
                             AND e.stage IN ('escalation_1', 'escalation_2')
                           ORDER BY e.response_due_on, e.id LIMIT 1) IS NOT NULL),
            EXISTS (SELECT 1 FROM ehc_localauthoritysettings WHERE next_digest_at <= %(now)s)""",
        {"today": today, "now": now},
    )
    return sum(cursor.fetchone())


# B2 ----------------------------------------------------------------------------------------------


def sweep_transition(cursor, *, today, now, la_id=None, limit=None, site_url="", responses=False):
    """The sweep's work, set-based: claim the requests of the due items (oldest action first), move
    every due item of them to the stage(s) it reached today, one escalation per (request, stage), one
    stage change per (item, stage), the escalation 1 letters with their snapshot, the emails as rows,
    one audit event per (request, stage). With `responses`, also the once-only emails about response
    windows that passed unanswered. Everything in the caller's transaction."""
    params = {"today": today, "now": now, "la": la_id, "limit": limit, "site": site_url}
    la_filter = "AND i.local_authority_id = %(la)s" if la_id is not None else ""
    limit_sql = "LIMIT %(limit)s" if limit is not None else ""
    cursor.execute(
        f"""SELECT r.id FROM advice_advicerequest r
            WHERE r.id IN (SELECT i.request_id FROM advice_adviceitem i
                           WHERE i.status = 'outstanding' AND i.next_action_on <= %(today)s {la_filter}
                           ORDER BY i.next_action_on, i.id {limit_sql})
            ORDER BY r.id FOR UPDATE SKIP LOCKED""",
        params,
    )
    params["ids"] = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"""CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
        WITH due AS (
            SELECT i.id, i.request_id, i.case_id, i.team_id, i.stage, i.due_on, i.escalation_1_on,
                   d.chase_on, d.esc1_on, c2.on_or_after AS esc2_from_letter
            FROM advice_adviceitem i
            JOIN {DUE_TABLE} d ON d.due_on = i.due_on
            LEFT JOIN {CALENDAR_TABLE} c2 ON c2.day = i.escalation_1_on + 14
            WHERE i.request_id = ANY(%(ids)s) AND i.status = 'outstanding' AND i.next_action_on <= %(today)s
            FOR UPDATE OF i SKIP LOCKED
        ), reached AS (
            SELECT due.*,
                   stage = 'requested' AND chase_on <= esc1_on AND chase_on <= %(today)s AS r_chase,
                   stage IN ('requested', 'chased') AND esc1_on <= %(today)s AS r_e1,
                   stage = 'escalation_1' AND esc2_from_letter <= %(today)s AS r_e2
            FROM due
        )
        SELECT reached.*,
               CASE WHEN r_e2 THEN 'escalation_2' WHEN r_e1 THEN 'escalation_1' WHEN r_chase THEN 'chased'
                    ELSE stage END AS new_stage
        FROM reached""",
        params,
    )
    cursor.execute("ANALYZE bench_plan")
    cursor.execute(
        f"""UPDATE advice_adviceitem i SET
               stage = p.new_stage,
               next_action_on = CASE p.new_stage
                   WHEN 'requested' THEN least(p.chase_on, p.esc1_on)
                   WHEN 'chased' THEN p.esc1_on
                   WHEN 'escalation_1' THEN CASE WHEN p.r_e1 THEN t14.on_or_after ELSE p.esc2_from_letter END
               END,
               chased_on = CASE WHEN p.r_chase THEN %(today)s ELSE i.chased_on END,
               escalation_1_on = CASE WHEN p.r_e1 THEN %(today)s ELSE i.escalation_1_on END,
               escalation_2_on = CASE WHEN p.r_e2 THEN %(today)s ELSE i.escalation_2_on END,
               head_of_service_response_due_on = CASE WHEN p.r_e2 THEN t.plus10
                                                      ELSE i.head_of_service_response_due_on END,
               updated_at = %(now)s
           FROM bench_plan p, {CALENDAR_TABLE} t, {CALENDAR_TABLE} t14
           WHERE i.id = p.id AND t.day = %(today)s AND t14.day = %(today)s::date + 14""",
        params,
    )
    cursor.execute("CREATE TEMP TABLE bench_new_escalation (id bigint, request_id bigint, stage text) ON COMMIT DROP")
    cursor.execute(
        f"""WITH inserted AS (
            INSERT INTO escalation_escalation (request_id, stage, issued_on, response_due_on, provider_id,
                local_authority_id, response, response_overdue_notified, created_at, updated_at)
            SELECT s.request_id, s.stage, %(today)s,
                   CASE s.stage WHEN 'escalation_1' THEN t.plus3 WHEN 'escalation_2' THEN t.plus10 END,
                   r.provider_id, r.local_authority_id, '', false, %(now)s, %(now)s
            FROM (SELECT DISTINCT p.request_id, x.stage, x.rank
                  FROM bench_plan p CROSS JOIN LATERAL (VALUES ('chase', 1, p.r_chase), ('escalation_1', 2, p.r_e1),
                                                            ('escalation_2', 3, p.r_e2)) x(stage, rank, hit)
                  WHERE x.hit) s
            JOIN advice_advicerequest r ON r.id = s.request_id
            JOIN {CALENDAR_TABLE} t ON t.day = %(today)s
            ORDER BY s.request_id, s.rank
            ON CONFLICT (request_id, stage) DO NOTHING
            RETURNING id, request_id, stage)
        INSERT INTO bench_new_escalation SELECT * FROM inserted""",
        params,
    )
    cursor.execute(
        """INSERT INTO escalation_stagechange (item_id, stage, "on", "at", escalation_id)
           SELECT p.id, x.stage, %(today)s, %(now)s, e.id
           FROM bench_plan p
           CROSS JOIN LATERAL (VALUES ('chased', 'chase', p.r_chase), ('escalation_1', 'escalation_1', p.r_e1),
                                      ('escalation_2', 'escalation_2', p.r_e2)) x(stage, escalation_stage, hit)
           JOIN escalation_escalation e ON e.request_id = p.request_id AND e.stage = x.escalation_stage
           WHERE x.hit
           ON CONFLICT (item_id, stage) DO NOTHING""",
        params,
    )
    cursor.execute("ANALYZE bench_new_escalation")
    # The teams each message lists, aggregated once per request: the request's outstanding items
    # already past their due date, by team name.
    cursor.execute(
        """CREATE TEMP TABLE bench_listed ON COMMIT DROP AS
        SELECT i.request_id,
               json_agg(json_build_object('name', tm.name, 'due_on', i.due_on,
                                          'days_overdue', %(today)s::date - i.due_on) ORDER BY tm.name, i.id) AS teams,
               string_agg(tm.name, ', ' ORDER BY tm.name, i.id) AS names,
               array_agg(DISTINCT tm.head_of_service_email) AS hos_emails
        FROM advice_adviceitem i JOIN ehc_team tm ON tm.id = i.team_id
        WHERE i.request_id IN (SELECT DISTINCT request_id FROM bench_new_escalation)
          AND i.status = 'outstanding' AND i.due_on < %(today)s
        GROUP BY i.request_id""",
        params,
    )
    cursor.execute("CREATE TEMP TABLE bench_new_letter (id bigint, escalation_id bigint) ON COMMIT DROP")
    cursor.execute(
        """WITH inserted AS (
            INSERT INTO escalation_letter (escalation_id, dated, content, sha256, created_at, updated_at)
            SELECT n.id, %(today)s, json_build_object(
                'reference', c.reference, 'dated', %(today)s::date,
                'local_authority', json_build_object('name', la.name,
                    'address_lines', array_remove(string_to_array(la.address, chr(10)), ''),
                    'telephone', la.telephone, 'website', la.website),
                'addressee', json_build_object('name', p.director_name, 'title', p.director_title,
                    'organisation', p.name, 'address_lines', array_remove(string_to_array(p.address, chr(10)), '')),
                'child', json_build_object('name', c.first_name || ' ' || c.last_name,
                                           'date_of_birth', c.date_of_birth),
                'notified_on', r.notified_on, 'chased_on', ch.issued_on,
                'teams', coalesce(t.teams, '[]'::json),
                'response_due_on', e.response_due_on,
                'signatory', json_build_object('name', s.ad_education_name, 'title', s.ad_education_title),
                'cc', json_build_array('DCO/DMO office (' || s.dco_office_email || ')',
                                       'SEND business support (' || s.business_support_email || ')'),
                'footer', s.letter_footer)::jsonb, '', %(now)s, %(now)s
            FROM bench_new_escalation n
            JOIN escalation_escalation e ON e.id = n.id
            JOIN advice_advicerequest r ON r.id = n.request_id
            JOIN assessments_case c ON c.id = r.case_id
            JOIN ehc_organisation la ON la.id = r.local_authority_id
            JOIN ehc_organisation p ON p.id = r.provider_id
            JOIN ehc_localauthoritysettings s ON s.local_authority_id = r.local_authority_id
            LEFT JOIN bench_listed t ON t.request_id = n.request_id
            LEFT JOIN escalation_escalation ch ON ch.request_id = n.request_id AND ch.stage = 'chase'
            WHERE n.stage = 'escalation_1'
            ON CONFLICT (escalation_id) DO NOTHING
            RETURNING id, escalation_id)
        INSERT INTO bench_new_letter SELECT * FROM inserted""",
        params,
    )
    cursor.execute(
        """INSERT INTO ehc_outboundemail (kind, dedupe_key, case_id, advice_request_id, "to", cc, subject, body_text,
            body_html, letter_id, status, attempts, next_attempt_at, last_error, created_at, updated_at)
        SELECT n.stage, n.stage || ':request:' || n.request_id, r.case_id, n.request_id,
               CASE n.stage WHEN 'chase' THEN ARRAY[p.spoc_email] WHEN 'escalation_1' THEN ARRAY[p.director_email]
                    ELSE ARRAY[s.ad_education_email] END,
               CASE n.stage WHEN 'chase' THEN ARRAY[s.business_support_email]
                    WHEN 'escalation_1' THEN ARRAY[s.dco_office_email, s.business_support_email]
                    ELSE ARRAY[s.business_support_email, s.dco_office_email] || coalesce(t.hos_emails, '{}') END,
               initcap(replace(n.stage, '_', ' ')) || ': health advice for ' || c.reference,
               'Health advice for case ' || c.reference || ' is overdue: ' || coalesce(t.names, '')
                   || '. ' || %(site)s || '/cases/' || c.id || '/',
               '', l.id, 'pending', 0, %(now)s, '', %(now)s, %(now)s
        FROM bench_new_escalation n
        JOIN advice_advicerequest r ON r.id = n.request_id
        JOIN assessments_case c ON c.id = r.case_id
        JOIN ehc_organisation p ON p.id = r.provider_id
        JOIN ehc_localauthoritysettings s ON s.local_authority_id = r.local_authority_id
        LEFT JOIN bench_listed t ON t.request_id = n.request_id
        LEFT JOIN bench_new_letter l ON l.escalation_id = n.id
        ON CONFLICT (dedupe_key) DO NOTHING""",
        params,
    )
    cursor.execute(
        """INSERT INTO ehc_auditevent ("at", actor_name, action, case_id, object_type, object_id, summary)
           SELECT %(now)s, '', 'stage', min(p.case_id), 'advice request', p.request_id::text,
                  left(x.stage || ': ' || string_agg(tm.name, ', ' ORDER BY tm.name), 500)
           FROM bench_plan p JOIN ehc_team tm ON tm.id = p.team_id
           CROSS JOIN LATERAL (VALUES ('chased', p.r_chase), ('escalation_1', p.r_e1),
                                      ('escalation_2', p.r_e2)) x(stage, hit)
           WHERE x.hit
           GROUP BY p.request_id, x.stage""",
        params,
    )
    if responses:
        _responses_overdue(cursor, params, la_filter.replace("i.", "e."))
    cursor.execute("SELECT count(*) FROM bench_plan")
    return cursor.fetchone()[0]


def _responses_overdue(cursor, params, la_filter):
    """Escalation windows that passed unanswered: flagged once, one email to the AD per escalation
    that still has teams owing (escalation 2: heads of service who have not answered)."""
    cursor.execute(
        f"""CREATE TEMP TABLE bench_owed ON COMMIT DROP AS
        WITH flagged AS (
            UPDATE escalation_escalation e SET response_overdue_notified = true, updated_at = %(now)s
            WHERE e.id IN (SELECT e.id FROM escalation_escalation e
                           WHERE e.responded_at IS NULL AND e.response_due_on IS NOT NULL
                             AND e.response_due_on < %(today)s AND NOT e.response_overdue_notified
                             AND e.stage IN ('escalation_1', 'escalation_2') {la_filter}
                           FOR UPDATE SKIP LOCKED)
            RETURNING e.id, e.request_id, e.stage, e.local_authority_id)
        SELECT f.*, array_agg(tm.head_of_service_email ORDER BY tm.name) AS hos_emails,
               string_agg(tm.name, ', ' ORDER BY tm.name) AS teams, min(i.case_id) AS case_id
        FROM flagged f
        JOIN advice_adviceitem i ON i.request_id = f.request_id AND i.status = 'outstanding'
             AND (f.stage = 'escalation_1'
                  OR (i.stage = 'escalation_2' AND i.head_of_service_responded_at IS NULL))
        JOIN ehc_team tm ON tm.id = i.team_id
        GROUP BY f.id, f.request_id, f.stage, f.local_authority_id""",
        params,
    )
    cursor.execute(
        """INSERT INTO ehc_outboundemail (kind, dedupe_key, case_id, advice_request_id, "to", cc, subject,
               body_text, body_html, status, attempts, next_attempt_at, last_error, created_at, updated_at)
           SELECT k.kind, k.kind || ':request:' || o.request_id, o.case_id, o.request_id,
                  ARRAY[s.ad_education_email],
                  ARRAY[s.dco_office_email, s.business_support_email]
                      || CASE WHEN o.stage = 'escalation_2' THEN o.hos_emails ELSE '{}' END,
                  'No response recorded: ' || c.reference,
                  'No response was recorded in time for ' || c.reference || ': ' || o.teams || '. '
                      || %(site)s || '/cases/' || c.id || '/',
                  '', 'pending', 0, %(now)s, '', %(now)s, %(now)s
           FROM bench_owed o
           CROSS JOIN LATERAL (SELECT CASE o.stage WHEN 'escalation_1' THEN 'escalation_1_overdue'
                                      ELSE 'head_of_service_overdue' END AS kind) k
           JOIN assessments_case c ON c.id = o.case_id
           JOIN ehc_localauthoritysettings s ON s.local_authority_id = o.local_authority_id
           ON CONFLICT (dedupe_key) DO NOTHING""",
        params,
    )
    cursor.execute(
        """INSERT INTO ehc_auditevent ("at", actor_name, action, case_id, object_type, object_id, summary)
           SELECT %(now)s, '', 'stage', o.case_id, 'escalation', o.id::text,
                  left('No response recorded in time: ' || o.teams, 500)
           FROM bench_owed o""",
        params,
    )


def sweep_snapshot(cursor, *, item_ids, since, flagged_candidates=()):
    """The state a sweep leaves, to compare the app's run with the floor's (taken before the rollback)."""
    cursor.execute(
        """SELECT id, stage, next_action_on, chased_on, escalation_1_on, escalation_2_on,
                  head_of_service_response_due_on
           FROM advice_adviceitem WHERE id = ANY(%s) ORDER BY id""",
        [list(item_ids)],
    )
    items = cursor.fetchall()
    cursor.execute(
        "SELECT request_id, stage, issued_on, response_due_on FROM escalation_escalation WHERE id > %s",
        [since["escalation"]],
    )
    escalations = sorted(cursor.fetchall())
    cursor.execute('SELECT item_id, stage, "on" FROM escalation_stagechange WHERE id > %s', [since["stagechange"]])
    stage_changes = sorted(cursor.fetchall())
    cursor.execute(
        """SELECT e.request_id, l.content->'teams', l.content->>'response_due_on', l.content->>'chased_on'
           FROM escalation_letter l JOIN escalation_escalation e ON e.id = l.escalation_id WHERE l.id > %s""",
        [since["letter"]],
    )
    letters = sorted((row[0], str(row[1]), row[2], row[3]) for row in cursor.fetchall())
    cursor.execute(
        """SELECT kind, dedupe_key, letter_id IS NOT NULL, case_id, advice_request_id, "to"
           FROM ehc_outboundemail WHERE id > %s""",
        [since["email"]],
    )
    emails = sorted(cursor.fetchall())
    cursor.execute("SELECT count(*) FROM ehc_auditevent WHERE id > %s", [since["audit"]])
    audit = cursor.fetchone()[0]
    flagged = []
    if flagged_candidates:
        cursor.execute(
            "SELECT id FROM escalation_escalation WHERE id = ANY(%s) AND response_overdue_notified ORDER BY id",
            [list(flagged_candidates)],
        )
        flagged = [row[0] for row in cursor.fetchall()]
    return {
        "items": items,
        "escalations": escalations,
        "stage_changes": stage_changes,
        "letters": letters,
        "emails": emails,
        "audit_events": audit,
        "flagged": flagged,
    }


def high_water_marks(cursor):
    marks = {}
    for key, table in [
        ("escalation", "escalation_escalation"),
        ("stagechange", "escalation_stagechange"),
        ("letter", "escalation_letter"),
        ("email", "ehc_outboundemail"),
        ("audit", "ehc_auditevent"),
    ]:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        marks[key] = cursor.fetchone()[0]
    return marks


# B3 / B4 -----------------------------------------------------------------------------------------

STAGE_FILTERS = {
    "due_soon": "i.due_on >= %(today)s AND i.due_on <= %(today)s::date + 14",
    "past_due": "i.due_on < %(today)s",
    "overdue": "i.due_on < %(today)s AND i.stage = 'requested'",
    "chased": "i.stage = 'chased'",
    "escalation_1": "i.stage = 'escalation_1'",
    "escalation_2": "i.stage = 'escalation_2'",
    "promise_passed": "i.promised_on < %(today)s",
}
AGE_FILTERS = {
    "0-6": "r.notified_on > %(today)s::date - 42",
    "6-8": "r.notified_on <= %(today)s::date - 42 AND r.notified_on > %(today)s::date - 56",
    "8-10": "r.notified_on <= %(today)s::date - 56 AND r.notified_on > %(today)s::date - 70",
    "10+": "r.notified_on <= %(today)s::date - 70",
}


def dco_dashboard(cursor, *, icb_id, today, provider_id=None, list_limit=100):
    """The DCO's overdue dashboard: every figure in one scan of the outstanding items (GROUPING SETS
    for the totals, per provider and per team), and the two 'responses owed' lists by keyset order."""
    params = {"icb": icb_id, "today": today, "provider": provider_id, "limit": list_limit + 1}
    scope = "i.status = 'outstanding' AND la.icb_id = %(icb)s"
    if provider_id is not None:
        scope += " AND i.provider_id = %(provider)s"
    counts = ", ".join(
        f"count(*) FILTER (WHERE {sql})" for sql in list(STAGE_FILTERS.values()) + list(AGE_FILTERS.values())
    )
    cursor.execute(
        f"""SELECT grouping(i.team_id), i.provider_id, i.team_id, count(*), {counts}
            FROM advice_adviceitem i
            JOIN ehc_organisation la ON la.id = i.local_authority_id
            JOIN advice_advicerequest r ON r.id = i.request_id
            WHERE {scope}
            GROUP BY GROUPING SETS ((), (i.provider_id), (i.provider_id, i.team_id))""",
        params,
    )
    total, stages, ages, by_provider, by_team = 0, {}, {}, [], []
    for row in cursor.fetchall():
        team_grouped, provider, team, count, *figures = row
        past_due = figures[1]
        if provider is None:
            total = count
            stages = dict(zip(STAGE_FILTERS, figures[: len(STAGE_FILTERS)], strict=True))
            ages = dict(zip(AGE_FILTERS, figures[len(STAGE_FILTERS) :], strict=True))
        elif team_grouped:
            by_provider.append((provider, count, past_due))
        else:
            by_team.append((team, count, past_due))
    cursor.execute(
        """SELECT e.id FROM escalation_escalation e
           JOIN ehc_organisation la ON la.id = e.local_authority_id
           WHERE e.stage = 'escalation_1' AND e.responded_at IS NULL AND e.response_due_on IS NOT NULL
             AND la.icb_id = %(icb)s """
        + ("AND e.provider_id = %(provider)s " if provider_id is not None else "")
        + "ORDER BY e.response_due_on, e.id LIMIT %(limit)s",
        params,
    )
    e1_owed = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"""SELECT i.id FROM advice_adviceitem i JOIN ehc_organisation la ON la.id = i.local_authority_id
            WHERE {scope} AND i.head_of_service_response_due_on IS NOT NULL
              AND i.head_of_service_responded_at IS NULL
            ORDER BY i.head_of_service_response_due_on, i.id LIMIT %(limit)s""",
        params,
    )
    hos_owed = [row[0] for row in cursor.fetchall()]
    return {
        "total": total,
        "stages": stages,
        "ages": ages,
        "by_provider": sorted(by_provider),
        "by_team": sorted(by_team),
        "escalation_1_owed": e1_owed[:list_limit],
        "head_of_service_owed": hos_owed[:list_limit],
    }


# B5 ----------------------------------------------------------------------------------------------


def spoc_queue(cursor, *, provider_id, today, page_size):
    """The SPOC's three lists (first page of each, keyset order) and their counts: four statements."""
    params = {"provider": provider_id, "today": today, "n": page_size + 1}
    cursor.execute(
        """SELECT r.id, r.notified_on, c.reference, c.first_name, c.last_name, la.name
           FROM advice_advicerequest r
           JOIN assessments_case c ON c.id = r.case_id
           JOIN ehc_organisation la ON la.id = r.local_authority_id
           WHERE r.provider_id = %(provider)s AND r.acknowledged_at IS NULL
             AND EXISTS (SELECT 1 FROM advice_adviceitem i WHERE i.request_id = r.id AND i.status = 'outstanding')
           ORDER BY r.notified_on, r.id LIMIT %(n)s""",
        params,
    )
    awaiting = [row[0] for row in cursor.fetchall()]
    item_sql = """SELECT i.id, i.due_on, i.stage, c.reference, c.first_name, c.last_name, t.name, la.name
           FROM advice_adviceitem i
           JOIN assessments_case c ON c.id = i.case_id
           JOIN ehc_team t ON t.id = i.team_id
           JOIN ehc_organisation la ON la.id = i.local_authority_id
           WHERE i.provider_id = %(provider)s AND i.status = 'outstanding' AND {where}
           ORDER BY i.due_on, i.id LIMIT %(n)s"""
    cursor.execute(item_sql.format(where="i.due_on >= %(today)s AND i.due_on <= %(today)s::date + 14"), params)
    soon = [row[0] for row in cursor.fetchall()]
    cursor.execute(item_sql.format(where="i.due_on < %(today)s"), params)
    overdue = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """SELECT count(*) FILTER (WHERE i.due_on >= %(today)s AND i.due_on <= %(today)s::date + 14),
                  count(*) FILTER (WHERE i.due_on < %(today)s)
           FROM advice_adviceitem i WHERE i.provider_id = %(provider)s AND i.status = 'outstanding'""",
        params,
    )
    soon_count, overdue_count = cursor.fetchone()
    return {
        "awaiting": awaiting[:page_size],
        "soon": soon[:page_size],
        "overdue": overdue[:page_size],
        "counts": {"soon": soon_count, "overdue": overdue_count},
    }


# B6 ----------------------------------------------------------------------------------------------


def case_detail(cursor, *, case_id, la_id):
    """Everything the case page shows, in as few statements as the data allows."""
    cursor.execute(
        """SELECT c.*, la.name, u.first_name, u.last_name FROM assessments_case c
           JOIN ehc_organisation la ON la.id = c.local_authority_id
           LEFT JOIN ehc_user u ON u.id = c.case_officer_id
           WHERE c.id = %(case)s AND c.local_authority_id = %(la)s""",
        {"case": case_id, "la": la_id},
    )
    case = cursor.fetchone()
    cursor.execute(
        """SELECT i.id FROM advice_adviceitem i
           JOIN ehc_team t ON t.id = i.team_id
           JOIN ehc_organisation p ON p.id = i.provider_id
           JOIN advice_advicerequest r ON r.id = i.request_id
           LEFT JOIN advice_advicereturn ar ON ar.item_id = i.id
           WHERE i.case_id = %(case)s AND i.local_authority_id = %(la)s
           ORDER BY p.name, t.name""",
        {"case": case_id, "la": la_id},
    )
    items = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """SELECT 'exception', e.id, NULL::timestamptz FROM assessments_timelineexception e WHERE e.case_id = %(case)s
           UNION ALL
           (SELECT 'audit', a.id, a."at" FROM ehc_auditevent a WHERE a.case_id = %(case)s
            ORDER BY a."at" DESC, a.id DESC
            LIMIT 100)
           UNION ALL
           (SELECT 'history', h.history_id, h.history_date FROM assessments_historicalcase h WHERE h.id = %(case)s
            ORDER BY h.history_date DESC LIMIT 50)
           UNION ALL
           (SELECT 'officer', u.id, NULL FROM ehc_user u WHERE u.organisation_id = %(la)s
            AND 'case_officer' = ANY(u.roles) AND u.is_active)""",
        {"case": case_id, "la": la_id},
    )
    cursor.fetchall()
    return {"case": case[0] if case else None, "items": items}


# B7 ----------------------------------------------------------------------------------------------

DIGEST_COLUMNS = """i.id, i.local_authority_id, i.provider_id, c.reference, t.name, i.due_on, i.stage, i.promised_on,
    i.head_of_service_response_due_on, i.head_of_service_responded_at, i.exception_reason"""


def digest(cursor, *, today, per_provider=None):
    """Every provider's overdue items per LA, oldest first; with `per_provider`, the first N of each
    (a window over item_la_outstanding) and each list's full count."""
    if per_provider is None:
        cursor.execute(
            f"""SELECT {DIGEST_COLUMNS} FROM advice_adviceitem i
                JOIN assessments_case c ON c.id = i.case_id JOIN ehc_team t ON t.id = i.team_id
                WHERE i.status = 'outstanding' AND i.due_on < %(today)s
                ORDER BY i.local_authority_id, i.provider_id, i.due_on, i.id""",
            {"today": today},
        )
    else:
        # One count per list, then the first N of each list straight off item_provider_outstanding.
        cursor.execute(
            f"""WITH lists AS (
                    SELECT local_authority_id, provider_id, count(*) AS total FROM advice_adviceitem
                    WHERE status = 'outstanding' AND due_on < %(today)s GROUP BY 1, 2)
                SELECT {DIGEST_COLUMNS}, l.total FROM lists l
                CROSS JOIN LATERAL (
                    SELECT x.id FROM advice_adviceitem x
                    WHERE x.provider_id = l.provider_id AND x.local_authority_id = l.local_authority_id
                      AND x.status = 'outstanding' AND x.due_on < %(today)s
                    ORDER BY x.due_on, x.id LIMIT %(n)s) top
                JOIN advice_adviceitem i ON i.id = top.id
                JOIN assessments_case c ON c.id = i.case_id JOIN ehc_team t ON t.id = i.team_id
                ORDER BY 2, 3, 6, 1""",
            {"today": today, "n": per_provider},
        )
    lists = {}
    for row in cursor.fetchall():
        lists.setdefault((row[1], row[2]), []).append(row[0])
    return lists


# B8 ----------------------------------------------------------------------------------------------


def caseload_page(cursor, *, la_id, today, page_size=50):
    """The LA's open cases by next statutory date, first page, with the advice counts: no access check."""
    cursor.execute(
        """SELECT c.id, c.reference, c.first_name, c.last_name, c.status, c.next_statutory_date,
                  u.first_name, u.last_name, la.name,
                  (SELECT count(*) FROM advice_adviceitem i WHERE i.case_id = c.id AND i.status = 'outstanding'),
                  (SELECT count(*) FROM advice_adviceitem i WHERE i.case_id = c.id AND i.status = 'outstanding'
                     AND i.due_on < %(today)s),
                  EXISTS (SELECT 1 FROM assessments_timelineexception e WHERE e.case_id = c.id)
           FROM assessments_case c
           JOIN ehc_organisation la ON la.id = c.local_authority_id
           LEFT JOIN ehc_user u ON u.id = c.case_officer_id
           WHERE c.local_authority_id = %(la)s AND NOT (c.status = ANY(%(closed)s))
           ORDER BY c.next_statutory_date, c.id LIMIT %(n)s""",
        {"la": la_id, "today": today, "closed": list(CLOSED_CASE_STATUSES), "n": page_size + 1},
    )
    return [row[0] for row in cursor.fetchall()][:page_size]


def outstanding_items_page(cursor, *, provider_id, team_ids=None, page_size=50):
    """A provider's (or some of its teams') outstanding items by due date, first page: no access check."""
    team_sql = "AND i.team_id = ANY(%(teams)s)" if team_ids is not None else ""
    cursor.execute(
        f"""SELECT i.id, i.due_on, i.stage, c.reference, t.name FROM advice_adviceitem i
            JOIN assessments_case c ON c.id = i.case_id JOIN ehc_team t ON t.id = i.team_id
            WHERE i.provider_id = %(provider)s AND i.status = 'outstanding' {team_sql}
            ORDER BY i.due_on, i.id LIMIT %(n)s""",
        {"provider": provider_id, "teams": list(team_ids or []), "n": page_size},
    )
    return [row[0] for row in cursor.fetchall()]
