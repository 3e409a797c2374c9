"""A letter on invented data, for the LA administrator's preview of its letterhead and wording: the
LA's own letterhead, signatory and durations around a child, provider and teams that do not exist."""

import datetime

from .letters import la_content
from .rules import TimerRules

DEMO_REFERENCE = "EHC-DEMO-0001"


def demo_letter_content(*, la, today: datetime.date) -> dict:
    """The snapshot a letter issued today would take (escalation.letters.letter_content), on demo data."""
    rules = TimerRules.for_la(la)
    settings = rules.settings
    due_on = today - datetime.timedelta(days=settings.escalation_1_after_due_days)
    notified_on = due_on - datetime.timedelta(days=settings.advice_period_days)
    chased_on = rules.chase_on(due_on)
    return {
        "reference": DEMO_REFERENCE,
        "dated": today.isoformat(),
        "addressee": {
            "name": "Sam Sample",
            "title": "Director of Children's Health",
            "organisation": "Demo Children's Health Service",
            "address_lines": ["1 Example Street", "Exampletown", "EX1 1EX"],
        },
        "child": {"name": "Alex Example", "date_of_birth": "2018-05-14"},
        "notified_on": notified_on.isoformat(),
        "chased_on": chased_on.isoformat(),
        "teams": [
            {"name": name, "due_on": due_on.isoformat(), "days_overdue": (today - due_on).days}
            for name in ("Occupational therapy", "Speech and language therapy")
        ],
        "response_due_on": rules.escalation_1_response_due(today).isoformat(),
        **la_content(la=la, la_settings=settings),
    }


# The emails an LA's wording goes into, with the template each renders through.
EMAIL_TEMPLATES = {"chase_email": "chase", "escalation_2_notice": "escalation_2", "digest_intro": "digest_la"}


def demo_email_context(*, kind, la, today: datetime.date, wording: dict) -> dict:
    """An email's context (as escalation.sweep.emails or .digest snapshot it) on invented data."""
    rules = TimerRules.for_la(la)
    settings = rules.settings
    due_on = today - datetime.timedelta(days=settings.escalation_1_after_due_days)
    common = {"la_name": la.name, "timings": settings.timings(), "wording": wording, "case_id": 0}
    if kind == "digest_intro":
        rows = [
            {
                "case__reference": f"EHC-DEMO-000{n}",
                "case_id": 0,
                "due_on": due_on,
                "days_overdue": (today - due_on).days,
                "stage_label": "Escalation 1",
                "promised_on": None,
                "flags": [],
            }
            for n in (1, 2)
        ]
        return {**common, "week_of": today, "issued_on": today, "count": 2, "rows": rows, "more": 0}
    teams = [{"due_on": due_on, "days_overdue": (today - due_on).days}] * 2
    return {
        **common,
        "reference": DEMO_REFERENCE,
        "provider_name": "Demo Children's Health Service",
        "teams": teams,
        "requested_on": due_on - datetime.timedelta(days=settings.advice_period_days),
        "issued_on": today,
        "response_due_on": rules.head_of_service_response_due(today) if kind == "escalation_2_notice" else None,
        "dco_office_email": settings.dco_office_email,
    }
