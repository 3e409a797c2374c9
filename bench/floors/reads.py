"""Floors for the pages and lists (B3 to B8): the DCO's dashboard, the SPOC's queue, the case page,
the weekly digest, a caseload page and a provider's or team's outstanding items."""

CLOSED_CASE_STATUSES = ("plan_issued", "not_assessing", "not_issuing", "withdrawn", "moved_away")

# B3 / B4 -----------------------------------------------------------------------------------------

STAGE_FILTERS = {
    "due_soon": "i.due_on >= %(today)s AND i.due_on <= %(today)s::date + 14",
    "past_due": "i.due_on < %(today)s",
    "overdue": "i.due_on < %(today)s AND i.stage = 'requested'",
    "chased": "i.stage = 'chased'",
    "escalation_1": "i.stage = 'escalation_1'",
    "escalation_2": "i.stage = 'escalation_2'",
    "promise_passed": "i.promised_on < %(today)s",
    # An advice exception (reg 8(2): not a school holiday) running today, covering all the case's
    # advice or this item.
    "excepted": """EXISTS (SELECT 1 FROM assessments_timelineexception x
        WHERE x.case_id = i.case_id AND x.reason IN ('personal', 'away', 'missed_appointment')
          AND x.starts_on <= %(today)s AND (x.ends_on IS NULL OR x.ends_on >= %(today)s)
          AND (x.covers_all_advice OR EXISTS (SELECT 1 FROM advice_adviceitem_timeline_exceptions c
               WHERE c.timelineexception_id = x.id AND c.adviceitem_id = i.id)))""",
    # A review's report (advice.querysets.FOR_REVIEWS), counted in the buckets above too.
    "review": "i.review_id IS NOT NULL",
}
# A report for an annual review, chased on the same ladder: the dashboard's own bucket (advice.querysets.FOR_REVIEWS).
STAGE_FILTERS["review"] = "i.review_id IS NOT NULL"
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
        """SELECT r.id, r.notified_on, c.reference, ch.first_name, ch.last_name, la.name
           FROM advice_advicerequest r
           JOIN assessments_case c ON c.id = r.case_id
           JOIN assessments_child ch ON ch.id = c.child_id
           JOIN ehc_organisation la ON la.id = r.local_authority_id
           WHERE r.provider_id = %(provider)s AND r.acknowledged_at IS NULL
             AND EXISTS (SELECT 1 FROM advice_adviceitem i WHERE i.request_id = r.id AND i.status = 'outstanding')
           ORDER BY r.notified_on, r.id LIMIT %(n)s""",
        params,
    )
    awaiting = [row[0] for row in cursor.fetchall()]
    item_sql = """SELECT i.id, i.due_on, i.stage, c.reference, ch.first_name, ch.last_name, t.name, la.name
           FROM advice_adviceitem i
           JOIN assessments_case c ON c.id = i.case_id
           JOIN assessments_child ch ON ch.id = c.child_id
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
        """SELECT c.*, ch.*, la.name, u.first_name, u.last_name FROM assessments_case c
           JOIN assessments_child ch ON ch.id = c.child_id
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
        """SELECT c.id, c.reference, ch.first_name, ch.last_name, c.status, c.next_statutory_date,
                  u.first_name, u.last_name, la.name,
                  (SELECT count(*) FROM advice_adviceitem i WHERE i.case_id = c.id AND i.status = 'outstanding'),
                  (SELECT count(*) FROM advice_adviceitem i WHERE i.case_id = c.id AND i.status = 'outstanding'
                     AND i.due_on < %(today)s),
                  EXISTS (SELECT 1 FROM assessments_timelineexception e WHERE e.case_id = c.id)
           FROM assessments_case c
           JOIN assessments_child ch ON ch.id = c.child_id
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
