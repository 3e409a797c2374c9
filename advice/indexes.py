"""The indexes of the advice items table (advice.models.AdviceItem.Meta).

Every stage change the sweep makes is a new row version, written again into each index whose
predicate it matches (no HOT update: next_action_on, which every stage change moves, is indexed).
So each index here is one that a query needs, and partial where it can be, so that updates of
outstanding items leave it alone. Which queries need which, measured: decision 0042.
"""

from django.db import models

ITEM_INDEXES = [
    # escalation.sweep.claim.claim_due_requests: outstanding items whose next action has come.
    models.Index(
        fields=["next_action_on", "id"],
        name="item_due_action",
        condition=models.Q(status="outstanding"),
    ),
    # SPOC queue and DCO dashboard for one provider: outstanding items by due date, keyset on id.
    models.Index(
        fields=["provider", "due_on", "id"],
        name="item_provider_outstanding",
        condition=models.Q(status="outstanding"),
    ),
    # Practitioner queue: one team's outstanding items.
    models.Index(
        fields=["team", "due_on", "id"],
        name="item_team_outstanding",
        condition=models.Q(status="outstanding"),
    ),
    # DCO dashboard across an area: outstanding items by LA. The weekly digest reads each LA's
    # overdue list in this order; the INCLUDE columns are every item field it shows, so the
    # list is one index-only range instead of a heap page per item (escalation.selectors).
    models.Index(
        fields=["local_authority", "due_on", "id"],
        name="item_la_outstanding",
        condition=models.Q(status="outstanding"),
        include=[
            "provider",
            "case",
            "team",
            "stage",
            "promised_on",
            "head_of_service_response_due_on",
            "head_of_service_responded_at",
            "exception_reason",
            "review",
        ],
    ),
    # The DCO's "responses owed": escalation 2 answers not yet given. Only items with a response
    # date, so that the sweep's other stage changes do not write it.
    models.Index(
        fields=["head_of_service_response_due_on", "id"],
        name="item_hos_response_owed",
        condition=models.Q(status="outstanding", head_of_service_responded_at__isnull=True)
        & models.Q(head_of_service_response_due_on__isnull=False),
    ),
    # escalation.sweep.promises: outstanding items whose promised date passed and the LA was not told yet.
    models.Index(
        fields=["local_authority", "promised_on", "id"],
        name="item_promise_unnotified",
        condition=models.Q(status="outstanding", promised_on__isnull=False, promise_passed_notified_on__isnull=True),
    ),
    # A review's items (the review's case page section, the DCO's review reports): few, so partial.
    models.Index(fields=["review", "id"], name="item_review", condition=models.Q(review__isnull=False)),
    # User foreign keys, looked up only when a user is deleted (PROTECT) and set only on items
    # returned, answered or excepted: partial, so the sweep's updates never write them.
    *[
        models.Index(fields=[field], name=name, condition=models.Q(**{f"{field}__isnull": False}))
        for field, name in (
            ("returned_by", "item_returned_by"),
            ("head_of_service_responded_by", "item_hos_responded_by"),
            ("exception_recorded_by", "item_exception_recorded_by"),
        )
    ],
]
