"""The DCO's overdue dashboard: its buckets (stage and age), the filters the list shares with it,
and every figure counted in one scan of the outstanding items."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Q

from advice.exceptions import excepted_on
from advice.models import ItemStatus, Stage
from advice.querysets import FOR_REVIEWS
from ehc.models import Organisation, Team

from .escalation_2 import escalation_2_outcomes
from .owed import DASHBOARD_LIST_LIMIT, escalation_1_responses_owed, failed_emails, head_of_service_responses_owed
from .scope import scoped_items

DUE_SOON_DAYS = 14

STAGE_BUCKETS = [
    ("due_soon", "Due within 2 weeks"),
    ("past_due", "Past the due date (any stage)"),
    ("overdue", "Overdue, not chased yet"),
    ("chased", "Chased"),
    ("escalation_1", "Escalation 1"),
    ("escalation_2", "Escalation 2"),
    ("promise_passed", "Promised date passed"),
    # Counted in the buckets above as well (an excepted item is still outstanding): marked here so
    # the DCO sees which of them no chase or escalation will move while the exception runs.
    ("excepted", "Clock stopped by an exception"),
    # Counted above as well: a review's report is chased on the same ladder, due before the meeting;
    # marked here because it is no part of the assessment's 6 weeks (advice.querysets).
    ("review", "Reports for an annual review"),
]
STAGE_LABELS = dict(STAGE_BUCKETS)

# Weeks since the SPOC was notified. A band includes its lower edge: an item notified exactly
# 6 weeks ago is in "6 to 8 weeks".
AGE_BANDS = [
    ("0-6", "Under 6 weeks", 0, 6),
    ("6-8", "6 to 8 weeks", 6, 8),
    ("8-10", "8 to 10 weeks", 8, 10),
    ("10+", "Over 10 weeks", 10, None),
]
AGE_LABELS = {key: label for key, label, _, _ in AGE_BANDS}


def stage_q(key, today):
    """The filter for one dashboard bucket, over outstanding items."""
    if key == "due_soon":
        return Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
    if key == "past_due":
        return Q(due_on__lt=today)
    if key == "overdue":
        return Q(due_on__lt=today, stage=Stage.REQUESTED)
    if key == "chased":
        return Q(stage=Stage.CHASED)
    if key == "escalation_1":
        return Q(stage=Stage.ESCALATION_1)
    if key == "escalation_2":
        return Q(stage=Stage.ESCALATION_2)
    if key == "promise_passed":
        return Q(promised_on__lt=today)
    if key == "excepted":
        return Q(excepted_on(today))
    if key == "review":
        return FOR_REVIEWS
    raise ValueError(key)


def age_q(key, today):
    for band, _label, low, high in AGE_BANDS:
        if band == key:
            # Younger than `low` weeks is outside; `high` weeks old or more is outside.
            q = Q(request__notified_on__lte=today - datetime.timedelta(weeks=low)) if low else Q()
            if high is not None:
                q &= Q(request__notified_on__gt=today - datetime.timedelta(weeks=high))
            return q
    raise ValueError(key)


@dataclass
class ItemFilters:
    local_authority: Organisation | None = None
    provider: Organisation | None = None
    team: Team | None = None
    stage: str = ""
    age: str = ""

    def as_q(self, today):
        q = Q()
        if self.local_authority is not None:
            q &= Q(local_authority_id=self.local_authority.pk)
        if self.provider is not None:
            q &= Q(provider_id=self.provider.pk)
        if self.team is not None:
            q &= Q(team_id=self.team.pk)
        if self.stage:
            q &= stage_q(self.stage, today)
        if self.age:
            q &= age_q(self.age, today)
        return q


def outstanding_items(*, user, today, filters: ItemFilters | None = None):
    """Outstanding items the user may see. `status='outstanding'` lets the planner use the partial
    indexes item_la_outstanding / item_provider_outstanding / item_team_outstanding."""
    narrowed = filters is not None and (filters.provider is not None or filters.team is not None)
    items = scoped_items(user, narrowed=narrowed).filter(status=ItemStatus.OUTSTANDING)
    if filters is not None:
        items = items.filter(filters.as_q(today))
    return items


@dataclass
class Dashboard:
    total: int
    stages: list  # (key, label, count)
    ages: list  # (key, label, count)
    by_provider: list  # dicts: provider_id, name, outstanding, past_due
    by_team: list  # dicts: team_id, name, provider_name, outstanding, past_due
    escalation_1_owed: list
    escalation_1_more: bool
    head_of_service_owed: list
    head_of_service_more: bool
    failed_emails: list
    failed_emails_more: bool
    escalation_2_outcomes: list = field(default_factory=list)
    escalation_2_more: bool = False


def dashboard(*, user, today, local_authority=None, provider=None) -> Dashboard:
    """The overdue dashboard for everything the user may see, or for one LA and/or one provider of
    it. Callers pass only an LA or provider the user may see (the dashboard form's choices); the
    scope still starts from `scoped_items`, so any other one gives empty figures, never its rows."""
    figures = _dashboard_figures(
        outstanding_items(
            user=user, today=today, filters=ItemFilters(local_authority=local_authority, provider=provider)
        ),
        today,
    )
    e1 = escalation_1_responses_owed(user=user, today=today, local_authority=local_authority, provider=provider)
    hos = head_of_service_responses_owed(user=user, today=today, local_authority=local_authority, provider=provider)
    emails = failed_emails(user=user, local_authority=local_authority, provider=provider)
    e2 = escalation_2_outcomes(user=user, today=today, local_authority=local_authority, provider=provider)
    return Dashboard(
        **figures,
        escalation_1_owed=e1[:DASHBOARD_LIST_LIMIT],
        escalation_1_more=len(e1) > DASHBOARD_LIST_LIMIT,
        head_of_service_owed=hos[:DASHBOARD_LIST_LIMIT],
        head_of_service_more=len(hos) > DASHBOARD_LIST_LIMIT,
        failed_emails=emails[:DASHBOARD_LIST_LIMIT],
        failed_emails_more=len(emails) > DASHBOARD_LIST_LIMIT,
        escalation_2_outcomes=e2[:DASHBOARD_LIST_LIMIT],
        escalation_2_more=len(e2) > DASHBOARD_LIST_LIMIT,
    )


def _dashboard_figures(items, today):
    """Every figure of the dashboard in one scan of the outstanding items: GROUPING SETS gives the
    totals, the per-provider and the per-team rows from the same pass, which Django cannot express.
    The buckets are the ORM's own `stage_q` / `age_q` (the ones the filtered list uses, so a count
    and the list it links to always agree), compiled into the inner query as boolean columns; the
    outer statement only counts them and names the providers and teams (a few dozen rows)."""
    buckets = [(f"stage_{index}", key, stage_q(key, today)) for index, (key, _) in enumerate(STAGE_BUCKETS)]
    buckets += [(f"age_{index}", key, age_q(key, today)) for index, (key, *_) in enumerate(AGE_BANDS)]
    inner = (
        items.order_by()
        .annotate(**{alias: ExpressionWrapper(q, output_field=BooleanField()) for alias, _, q in buckets})
        .annotate(bucket_provider=F("provider_id"), bucket_team=F("team_id"))
        .values("bucket_provider", "bucket_team", *[alias for alias, *_ in buckets])
    )
    try:
        inner_sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # nothing in scope at all (an ICB with no LAs yet): every figure is zero
        inner_sql, params = None, ()
    quote = connection.ops.quote_name
    counts = ", ".join(f"count(*) FILTER (WHERE {quote(alias)})" for alias, *_ in buckets)
    past_due = quote(f"stage_{[key for key, _ in STAGE_BUCKETS].index('past_due')}")
    sql = f"""
        SELECT f.provider_grouped, f.team_grouped, f.provider_id, f.team_id, p.name, t.name,
               f.outstanding, f.past_due, f.buckets
        FROM (
            SELECT grouping(bucket_provider) AS provider_grouped, grouping(bucket_team) AS team_grouped,
                   bucket_provider AS provider_id, bucket_team AS team_id, count(*) AS outstanding,
                   count(*) FILTER (WHERE {past_due}) AS past_due, ARRAY[{counts}] AS buckets
            FROM ({inner_sql}) AS outstanding
            GROUP BY GROUPING SETS ((), (bucket_provider), (bucket_provider, bucket_team))
        ) AS f
        LEFT JOIN {quote(Organisation._meta.db_table)} p ON p.id = f.provider_id
        LEFT JOIN {quote(Team._meta.db_table)} t ON t.id = f.team_id
        ORDER BY f.provider_grouped DESC, f.past_due DESC, f.outstanding DESC, p.name, t.name"""
    rows = []
    if inner_sql is not None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    total, counted, by_provider, by_team = 0, {}, [], []
    # Rows come ordered as both tables are shown: most past due, then most outstanding, then by name.
    for row in rows:
        provider_grouped, team_grouped, provider_id, team_id, provider_name, team_name, outstanding, late, figures = row
        if provider_grouped:
            total = outstanding
            counted = {alias: count for (alias, *_), count in zip(buckets, figures, strict=True)}
        elif team_grouped:
            by_provider.append(
                {"provider_id": provider_id, "name": provider_name, "outstanding": outstanding, "past_due": late}
            )
        else:
            by_team.append(
                {
                    "team_id": team_id,
                    "name": team_name,
                    "provider_name": provider_name,
                    "outstanding": outstanding,
                    "past_due": late,
                }
            )
    return {
        "total": total,
        "stages": [(key, label, counted.get(f"stage_{index}", 0)) for index, (key, label) in enumerate(STAGE_BUCKETS)],
        "ages": [(key, label, counted.get(f"age_{index}", 0)) for index, (key, label, *_) in enumerate(AGE_BANDS)],
        "by_provider": by_provider,
        "by_team": by_team,
    }
