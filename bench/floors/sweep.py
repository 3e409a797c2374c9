"""Floors for the sweep (B1, B2): the idle tick's index probes, one set-based transition of every due
item, and the snapshots that compare what the app's sweep wrote with what the floor wrote."""

from ..data import CALENDAR_TABLE, DUE_TABLE

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
            INSERT INTO escalation_letter (escalation_id, dated, addressed_to, content, sha256, created_at, updated_at)
            SELECT n.id, %(today)s, lower(p.director_email), json_build_object(
                'reference', c.reference, 'dated', %(today)s::date,
                'local_authority', json_build_object('name', la.name,
                    'address_lines', array_remove(string_to_array(la.address, chr(10)), ''),
                    'telephone', la.telephone, 'website', la.website),
                'addressee', json_build_object('name', p.director_name, 'title', p.director_title,
                    'organisation', p.name, 'address_lines', array_remove(string_to_array(p.address, chr(10)), '')),
                'child', json_build_object('name', kid.first_name || ' ' || kid.last_name,
                                           'date_of_birth', kid.date_of_birth),
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
            JOIN assessments_child kid ON kid.id = c.child_id
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
               '', NULL, 'pending', 0, %(now)s, '', %(now)s, %(now)s
        FROM bench_new_escalation n
        JOIN advice_advicerequest r ON r.id = n.request_id
        JOIN assessments_case c ON c.id = r.case_id
        JOIN ehc_organisation p ON p.id = r.provider_id
        JOIN ehc_localauthoritysettings s ON s.local_authority_id = r.local_authority_id
        LEFT JOIN bench_listed t ON t.request_id = n.request_id
        WHERE n.stage <> 'escalation_1'
        ON CONFLICT (dedupe_key) DO NOTHING""",
        params,
    )
    # The letter's emails, one per recipient (escalation.letter_emails), the letter attached only for an
    # address on the LA's secure domains (its list, and its own mailboxes' domains where they count).
    cursor.execute(
        """INSERT INTO ehc_outboundemail (kind, dedupe_key, case_id, advice_request_id, "to", cc, subject, body_text,
            body_html, letter_id, status, attempts, next_attempt_at, last_error, created_at, updated_at)
        SELECT 'escalation_1', 'escalation_1:request:' || n.request_id || ':' || x.who, r.case_id, n.request_id,
               ARRAY[x.address], '{}', 'Escalation 1: health advice for ' || c.reference,
               'Health advice for case ' || c.reference || ' is overdue. ' || %(site)s || '/escalation/letters/'
                   || l.id || '/', '',
               CASE WHEN lower(split_part(x.address, '@', 2)) = ANY(
                        ARRAY(SELECT lower(d) FROM unnest(s.secure_email_domains) d)
                        || CASE WHEN s.own_domain_is_secure
                                THEN ARRAY[lower(split_part(s.business_support_email, '@', 2)),
                                           lower(split_part(s.ad_education_email, '@', 2))]
                                ELSE '{}'::text[] END)
                    THEN l.id END,
               'pending', 0, %(now)s, '', %(now)s, %(now)s
        FROM bench_new_escalation n
        JOIN advice_advicerequest r ON r.id = n.request_id
        JOIN assessments_case c ON c.id = r.case_id
        JOIN ehc_organisation p ON p.id = r.provider_id
        JOIN ehc_localauthoritysettings s ON s.local_authority_id = r.local_authority_id
        JOIN bench_new_letter l ON l.escalation_id = n.id
        CROSS JOIN LATERAL (VALUES ('addressee', p.director_email), ('dco_office', s.dco_office_email),
                                   ('business_support', s.business_support_email)) x(who, address)
        WHERE n.stage = 'escalation_1' AND x.address <> '' AND NOT s.letters_need_ad_approval
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
