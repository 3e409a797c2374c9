"""What the daily sweeps made up to the day before: escalations, stage changes, the escalation 1
letters and their emails; and the audit trail and case history."""

from django.apps import apps

from .base import DUE_TABLE, at, insert

STAGE_RANK = "CASE i.stage WHEN 'chased' THEN 1 WHEN 'escalation_1' THEN 2 WHEN 'escalation_2' THEN 3 ELSE 0 END"


def escalations(cursor, params):
    """One escalation per (request, stage) its outstanding items reached, with the stage changes."""
    responded = "s.stage = 'escalation_1' AND s.response_due < %(today)s AND mod(g.request_id, 20) < 11"
    insert(
        cursor,
        "escalation.Escalation",
        {
            "created_at": at("s.issued_on", "10:00"),
            "updated_at": at("s.issued_on", "10:00"),
            "request_id": "g.request_id",
            "stage": "s.stage",
            "issued_on": "s.issued_on",
            "response_due_on": "s.response_due",
            "provider_id": "r.provider_id",
            "local_authority_id": "r.local_authority_id",
            "responded_at": f"CASE WHEN {responded} THEN {at('s.issued_on + 2', '15:00')} END",
            "responded_by_id": f"CASE WHEN {responded} THEN %(u_dco)s END",
            "response": f"CASE WHEN {responded} THEN 'The DCO office is working with the teams on a date.' ELSE '' END",
            "response_overdue_notified": f"NOT ({responded}) AND s.response_due IS NOT NULL "
            "AND s.response_due < %(yesterday)s",
            # The sweep's second phase wrote these escalations' messages on the day they were issued.
            "messages_queued_at": at("s.issued_on", "10:00"),
        },
        f"""FROM (SELECT i.request_id, max({STAGE_RANK}) AS top FROM advice_adviceitem i
                  WHERE i.status = 'outstanding' AND i.stage <> 'requested' GROUP BY i.request_id) g
            JOIN advice_advicerequest r ON r.id = g.request_id
            JOIN {DUE_TABLE} d ON d.due_on = r.due_on
            CROSS JOIN LATERAL (VALUES ('chase', 1, d.chase_on, NULL::date),
                                       ('escalation_1', 2, d.esc1_on, d.esc1_response_due),
                                       ('escalation_2', 3, d.esc2_on, d.hos_due))
                 s(stage, rank, issued_on, response_due)
            WHERE s.rank <= g.top
            ORDER BY g.request_id, s.rank""",
        params,
    )
    insert(
        cursor,
        "escalation.StageChange",
        {
            "item_id": "i.id",
            "stage": "s.stage",
            "on": "s.on_date",
            "at": at("s.on_date", "10:00"),
            "escalation_id": "e.id",
        },
        f"""FROM advice_adviceitem i
            CROSS JOIN LATERAL (VALUES ('chased', 'chase', 1, i.chased_on),
                                       ('escalation_1', 'escalation_1', 2, i.escalation_1_on),
                                       ('escalation_2', 'escalation_2', 3, i.escalation_2_on))
                 s(stage, escalation_stage, rank, on_date)
            JOIN escalation_escalation e ON e.request_id = i.request_id AND e.stage = s.escalation_stage
            WHERE i.status = 'outstanding' AND s.rank <= {STAGE_RANK}
            ORDER BY i.id, s.rank""",
        params,
    )


def letters(cursor, params):
    """The escalation 1 letters, with the snapshot escalation.letters.letter_content takes at issue."""
    content = """json_build_object(
        'reference', c.reference, 'dated', e.issued_on,
        'local_authority', json_build_object('name', la.name, 'address_lines', string_to_array(la.address, chr(10)),
                                             'telephone', la.telephone, 'website', la.website),
        'addressee', json_build_object('name', p.director_name, 'title', p.director_title, 'organisation', p.name,
                                       'address_lines', string_to_array(p.address, chr(10))),
        'child', json_build_object('name', kid.first_name || ' ' || kid.last_name, 'date_of_birth', kid.date_of_birth),
        'notified_on', r.notified_on, 'chased_on', ch.issued_on,
        'teams', t.teams, 'response_due_on', e.response_due_on,
        'signatory', json_build_object('name', s.ad_education_name, 'title', s.ad_education_title),
        'cc', json_build_array('DCO/DMO office (' || s.dco_office_email || ')',
                               'SEND business support (' || s.business_support_email || ')'),
        'footer', s.letter_footer)::jsonb"""
    insert(
        cursor,
        "escalation.Letter",
        {
            "created_at": at("e.issued_on", "10:00"),
            "updated_at": at("e.issued_on", "10:00"),
            "escalation_id": "e.id",
            "dated": "e.issued_on",
            "content": content,
            "sha256": "''",
        },
        """FROM escalation_escalation e
           JOIN advice_advicerequest r ON r.id = e.request_id
           JOIN assessments_case c ON c.id = r.case_id
           JOIN assessments_child kid ON kid.id = c.child_id
           JOIN ehc_organisation la ON la.id = r.local_authority_id
           JOIN ehc_organisation p ON p.id = r.provider_id
           JOIN ehc_localauthoritysettings s ON s.local_authority_id = r.local_authority_id
           LEFT JOIN escalation_escalation ch ON ch.request_id = e.request_id AND ch.stage = 'chase'
           CROSS JOIN LATERAL (
               SELECT json_agg(json_build_object('name', tm.name, 'due_on', i.due_on,
                                                 'days_overdue', e.issued_on - i.due_on) ORDER BY tm.name) AS teams
               FROM advice_adviceitem i JOIN ehc_team tm ON tm.id = i.team_id
               WHERE i.request_id = e.request_id AND i.status = 'outstanding') t
           WHERE e.stage = 'escalation_1'
           ORDER BY e.id""",
        params,
    )


def emails(cursor, params):
    """The emails those escalations sent: sent rows, a few failing ones for the DCO's list."""
    failing = "e.stage = 'escalation_1' AND mod(e.id, 200) = 0"
    insert(
        cursor,
        "ehc.OutboundEmail",
        {
            "created_at": at("e.issued_on", "10:00"),
            "updated_at": at("e.issued_on", "10:05"),
            "kind": "e.stage",
            "dedupe_key": "e.stage || ':request:' || e.request_id",
            "case_id": "r.case_id",
            "advice_request_id": "e.request_id",
            "to": """CASE e.stage WHEN 'chase' THEN ARRAY[p.spoc_email] WHEN 'escalation_1' THEN ARRAY[p.director_email]
                     ELSE ARRAY[s.ad_education_email] END::varchar[]""",
            "cc": """CASE e.stage WHEN 'chase' THEN ARRAY[s.business_support_email]
                     ELSE ARRAY[s.dco_office_email, s.business_support_email] END::varchar[]""",
            "subject": """CASE e.stage WHEN 'chase' THEN 'Health advice overdue: ' WHEN 'escalation_1'
                          THEN 'Escalation 1: health advice overdue: ' ELSE 'Escalation 2: health advice overdue: '
                          END || c.reference""",
            "body_text": "'Health advice for case ' || c.reference || ' is overdue. See ' || %(site)s "
            "|| '/cases/' || c.id || '/'",
            "letter_id": "l.id",
            "status": f"CASE WHEN {failing} THEN 'failed' ELSE 'sent' END",
            "attempts": f"CASE WHEN {failing} THEN 4 ELSE 1 END",
            "next_attempt_at": f"CASE WHEN {failing} THEN {at('%(today)s', '11:00')} END",
            "last_error": f"CASE WHEN {failing} THEN 'SMTPRecipientsRefused: mailbox unavailable' ELSE '' END",
            "sent_at": f"CASE WHEN {failing} THEN NULL ELSE {at('e.issued_on', '10:05')} END",
        },
        """FROM escalation_escalation e
           JOIN advice_advicerequest r ON r.id = e.request_id
           JOIN assessments_case c ON c.id = r.case_id
           JOIN ehc_organisation p ON p.id = r.provider_id
           JOIN ehc_localauthoritysettings s ON s.local_authority_id = r.local_authority_id
           LEFT JOIN escalation_letter l ON l.escalation_id = e.id
           ORDER BY e.id""",
        params,
    )


def audit_and_history(cursor, params):
    insert(
        cursor,
        "ehc.AuditEvent",
        {
            "at": at("c.received_on", "09:00"),
            "actor_id": "c.case_officer_id",
            "actor_name": "'Case officer'",
            "organisation_id": "c.local_authority_id",
            "action": "'create'",
            "case_id": "c.id",
            "object_type": "'case'",
            "object_id": "c.id::text",
            "summary": "'Request for an EHC needs assessment recorded'",
        },
        "FROM assessments_case c ORDER BY c.id",
        params,
    )
    history = apps.get_model("assessments.HistoricalCase")
    case_columns = {field.column for field in apps.get_model("assessments.Case")._meta.concrete_fields}
    provided = {
        field.column: f"c.{field.column}" for field in history._meta.concrete_fields if field.column in case_columns
    }
    provided.update(
        {
            "history_date": at("c.received_on", "09:00"),
            "history_type": "'+'",
            "history_user_id": "c.case_officer_id",
        }
    )
    insert(cursor, "assessments.HistoricalCase", provided, "FROM assessments_case c ORDER BY c.id", params)
