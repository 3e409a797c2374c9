"""Reads for the DCO's overdue dashboard and the reports.

Every figure is counted by PostgreSQL (conditional COUNTs, GROUP BY, percentile_cont), so a page
runs the same handful of queries for ten items or ten thousand. Scope always starts from
`ehc.access` (`visible_advice_items`, `visible_advice_requests`, `visible_cases`): a figure can
never count a row its reader could not open.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from advice.models import AdviceItem, DelayReason, ItemStatus, KnownStatus, NotProvidedReason, Stage
from assessments.models import TimelineException
from assessments.timeline import DECISION_WEEKS, FINAL_PLAN_WEEKS
from ehc.access import visible_advice_items, visible_advice_requests, visible_cases
from ehc.models import MessageStatus, Organisation, OrganisationKind, OutboundEmail, Service, Team

from ..models import Escalation, EscalationStage

PAGE_SIZE = 50
DUE_SOON_DAYS = 14
# Escalation and email lists on the dashboard stop here; the rest is one click away in the list.
DASHBOARD_LIST_LIMIT = 100
FAILING_ATTEMPTS = 3
# National figure for the share of EHC plans issued within 20 weeks, excluding exceptions
# (DfE, "Education, health and care plans", England, calendar year 2024).
ENGLAND_PLANS_WITHIN_20_WEEKS = 46.4


# Scope -------------------------------------------------------------------------------------


def local_authorities_in_scope(user):
    """The LAs whose figures the user may see: a DCO's whole ICB area, or an LA user's own LA."""
    org = user.organisation
    if org is None:
        return Organisation.objects.none()
    if org.kind == OrganisationKind.ICB:
        return Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, icb_id=org.pk)
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return Organisation.objects.filter(pk=org.pk)
    return Organisation.objects.none()


def scope_la_ids(user):
    """The ids of the LAs in scope, read once per request and kept on the user object."""
    ids = getattr(user, "_report_la_ids", None)
    if ids is None:
        org = user.organisation
        if org is not None and org.kind == OrganisationKind.LOCAL_AUTHORITY:
            ids = [org.pk]
        else:
            ids = list(local_authorities_in_scope(user).values_list("id", flat=True))
        user._report_la_ids = ids
    return ids


def scoped_items(user, *, narrowed=False):
    """visible_advice_items(user), with the LA ids spelt out. For a DCO, visible_advice_items joins
    through the ICB; naming the LAs lets PostgreSQL use the per-LA indexes (item_la_outstanding and
    the local_authority foreign key) instead of scanning every item ever requested.

    `narrowed`: the caller filters on a provider or a team, whose partial indexes already find the
    few rows. There the list is left out (the join through the ICB still scopes the rows): with it,
    PostgreSQL ANDs the provider's every item ever with the area's whole outstanding index rather
    than reading the provider's outstanding items alone."""
    items = visible_advice_items(user)
    if user.is_icb_user and not narrowed:
        items = items.filter(local_authority_id__in=scope_la_ids(user))
    return items


def providers_in_scope(user):
    """The filter choices: providers serving the LAs in scope, and any other provider that has advice
    outstanding for them. Read from the served-LA table and the outstanding items' partial index,
    never from the whole history of items."""
    outstanding = scoped_items(user).filter(status=ItemStatus.OUTSTANDING).values("provider_id")
    return (
        Organisation.objects.filter(kind=OrganisationKind.HEALTH_PROVIDER)
        .filter(Q(served_las__in=scope_la_ids(user)) | Q(pk__in=outstanding))
        .distinct()
    )


def teams_in_scope(user):
    return (
        Team.objects.filter(provider__in=providers_in_scope(user))
        .select_related("provider")
        .order_by("provider__name", "name")
    )


# The dashboard's buckets -------------------------------------------------------------------

STAGE_BUCKETS = [
    ("due_soon", "Due within 2 weeks"),
    ("past_due", "Past the due date (any stage)"),
    ("overdue", "Overdue, not chased yet"),
    ("chased", "Chased"),
    ("escalation_1", "Escalation 1"),
    ("escalation_2", "Escalation 2"),
    ("promise_passed", "Promised date passed"),
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
    hos = head_of_service_responses_owed(
        user=user, today=today, local_authority=local_authority, provider=provider
    )
    emails = failed_emails(user=user, local_authority=local_authority, provider=provider)
    from .escalation_2 import escalation_2_outcomes

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
        "stages": [
            (key, label, counted.get(f"stage_{index}", 0)) for index, (key, label) in enumerate(STAGE_BUCKETS)
        ],
        "ages": [(key, label, counted.get(f"age_{index}", 0)) for index, (key, label, *_) in enumerate(AGE_BANDS)],
        "by_provider": by_provider,
        "by_team": by_team,
    }


@dataclass
class ResponseOwed:
    """One row of a "responses owed" table: the escalation (or, at stage 2, the item) by id, what
    the table shows of it, and how late the response is (negative: days still to go)."""

    pk: int
    case_id: int
    reference: str
    provider_name: str
    where: str  # escalation 1: the LA; escalation 2: the team
    started_on: datetime.date | None  # the letter's date; the escalation 2 date
    due_on: datetime.date
    days_late: int


def _owed_rows(queryset, *, where, started_on, due_on, today):
    """The first DASHBOARD_LIST_LIMIT + 1 rows as plain values: a row of the table needs five columns,
    not four model instances."""
    rows = queryset.values_list(
        "pk", "case_id", "case_reference", "provider__name", where, started_on, due_on
    ).order_by(due_on, "id")[: DASHBOARD_LIST_LIMIT + 1]
    return [ResponseOwed(*row, days_late=(today - row[-1]).days) for row in rows]


def escalation_1_responses_owed(*, user, today, local_authority=None, provider=None):
    """Escalation 1 letters awaiting the DCO office's response (3 working days), earliest due first,
    so those already overdue lead. Served by the partial index escalation_response_owed, walked in
    order until the page is full. An escalation carries its request's LA and provider, so the scope
    is read from the escalation row itself rather than by a semi-join over every visible request."""
    escalations = Escalation.objects.filter(
        stage=EscalationStage.ESCALATION_1,
        responded_at__isnull=True,
        response_due_on__isnull=False,
        local_authority_id__in=scope_la_ids(user),
    )
    if local_authority is not None:
        escalations = escalations.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        escalations = escalations.filter(provider_id=provider.pk)
    escalations = escalations.annotate(case_id=F("request__case_id"), case_reference=F("request__case__reference"))
    return _owed_rows(
        escalations, where="local_authority__name", started_on="issued_on", due_on="response_due_on", today=today
    )


def head_of_service_responses_owed(*, user, today, local_authority=None, provider=None):
    """Items at escalation 2 whose head of service has not answered (10 working days), earliest due
    first (index item_hos_response_owed)."""
    items = scoped_items(user).filter(
        status=ItemStatus.OUTSTANDING,
        head_of_service_response_due_on__isnull=False,
        head_of_service_responded_at__isnull=True,
    )
    if local_authority is not None:
        items = items.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        items = items.filter(provider_id=provider.pk)
    items = items.annotate(case_reference=F("case__reference"))
    return _owed_rows(
        items,
        where="team__name",
        started_on="escalation_2_on",
        due_on="head_of_service_response_due_on",
        today=today,
    )


def failed_emails(*, user, local_authority=None, provider=None):
    """Emails (and the letters they carry) that failed to send after repeated attempts, for the
    cases in scope, or with a provider, those about its requests. Read through the partial index
    email_unsent_next_attempt (status failed). The scope is the LAs in scope: for the dashboard's
    readers (DCO, LA managers) a case or request is visible exactly when its LA is one of them."""
    la_ids = scope_la_ids(user)
    if local_authority is not None:
        la_ids = [pk for pk in la_ids if pk == local_authority.pk]
    emails = OutboundEmail.objects.filter(status=MessageStatus.FAILED, attempts__gte=FAILING_ATTEMPTS)
    if provider is not None:
        emails = emails.filter(
            advice_request__provider_id=provider.pk, advice_request__local_authority_id__in=la_ids
        )
    else:
        emails = emails.filter(
            Q(case__local_authority_id__in=la_ids) | Q(advice_request__local_authority_id__in=la_ids)
        )
    # The bodies can be long and the page never shows them.
    emails = emails.select_related("case").defer("body_text", "body_html").only(
        "kind", "to", "attempts", "updated_at", "last_error", "letter_id", "case__reference"
    )
    return list(emails.order_by("-updated_at", "-id")[: DASHBOARD_LIST_LIMIT + 1])


# The filtered list -------------------------------------------------------------------------

SORTS = [
    ("due", "Most overdue first"),
    ("-due", "Latest due date first"),
]


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    has_previous: bool


def _decode_cursor(cursor):
    """'YYYY-MM-DD.id'. A cursor that does not parse starts from the top rather than failing."""
    if not cursor:
        return None
    try:
        date_part, id_part = cursor.split(".", 1)
        return datetime.date.fromisoformat(date_part), int(id_part)
    except ValueError:
        return None


def _list_queryset(*, user, today, filters, sort):
    items = outstanding_items(user=user, today=today, filters=filters).select_related(
        "case", "local_authority", "provider", "team", "request"
    )
    if sort == "-due":
        return items.order_by("-due_on", "-id")
    return items.order_by("due_on", "id")


def item_page(*, user, today, filters, sort="due", cursor=None, page_size=PAGE_SIZE) -> Page:
    """One page of the filtered list, keyset-paginated on (due_on, id) like the partial indexes."""
    items = _list_queryset(user=user, today=today, filters=filters, sort=sort)
    position = _decode_cursor(cursor)
    if position:
        due, last_id = position
        if sort == "-due":
            items = items.filter(Q(due_on__lt=due) | Q(due_on=due, id__lt=last_id))
        else:
            items = items.filter(Q(due_on__gt=due) | Q(due_on=due, id__gt=last_id))
    rows = list(items[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = f"{rows[-1].due_on.isoformat()}.{rows[-1].id}"
    for row in rows:
        _decorate(row, today)
    return Page(rows=rows, next_cursor=next_cursor, has_previous=bool(position))


def item_export(*, user, today, filters, sort="due"):
    """Every row of the filtered list, streamed from a server-side cursor (one query)."""
    items = _list_queryset(user=user, today=today, filters=filters, sort=sort)
    for row in items.iterator(chunk_size=500):
        yield _decorate(row, today)


def _decorate(item, today):
    item.overdue_days = max(0, (today - item.due_on).days)
    item.last_action, item.last_action_on = last_action(item)
    return item


def last_action(item):
    """The most recent thing that happened to the item, from the dates already on the row."""
    request = item.request
    events = [("Requested", request.notified_on)]
    if request.acknowledged_at:
        events.append(("Acknowledged", timezone.localdate(request.acknowledged_at)))
    events += [
        ("Chased", item.chased_on),
        ("Escalation 1", item.escalation_1_on),
        ("Escalation 2", item.escalation_2_on),
    ]
    if item.head_of_service_responded_at:
        events.append(("Head of service answered", timezone.localdate(item.head_of_service_responded_at)))
    dated = [(on, index, label) for index, (label, on) in enumerate(events) if on is not None]
    on, _, label = max(dated)
    return label, on


# Report periods ----------------------------------------------------------------------------


def quarter_of(day: datetime.date):
    start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return start, _month_end(_add_months(start, 2))


def previous_quarters(today: datetime.date, count=4):
    """The last `count` complete calendar quarters, most recent first."""
    start, _ = quarter_of(today)
    quarters = []
    for _ in range(count):
        start = _add_months(start, -3)
        quarters.append((start, _month_end(_add_months(start, 2))))
    return quarters


def last_twelve_months(today: datetime.date):
    this_month = today.replace(day=1)
    return _add_months(this_month, -12), this_month - datetime.timedelta(days=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(day: datetime.date) -> datetime.date:
    return _add_months(day, 1) - datetime.timedelta(days=1)


def months_between(start: datetime.date, end: datetime.date):
    month = start.replace(day=1)
    months = []
    while month <= end:
        months.append(month)
        month = _add_months(month, 1)
    return months


# SQL helpers -------------------------------------------------------------------------------


class Median(Aggregate):
    """percentile_cont(0.5): the median as PostgreSQL computes it (interpolating between the two
    middle values of an even count)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def days_between(start, end):
    """`end - start` in whole days: PostgreSQL's date minus date is an integer."""
    return Func(F(end), F(start), arg_joiner=" - ", template="(%(expressions)s)", output_field=IntegerField())


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else None


RETURNED = Q(status=ItemStatus.RETURNED)
# Returned on or before its due date: due_on is the notification date plus the LA's advice
# period (6 weeks unless an LA has set otherwise).
WITHIN = RETURNED & Q(returned_on__lte=F("due_on"))
LATE = RETURNED & ~Q(returned_on__lte=F("due_on"))
NOT_PROVIDED = Q(status=ItemStatus.NOT_PROVIDED)
OUTSTANDING = Q(status=ItemStatus.OUTSTANDING)
WITHDRAWN = Q(status__in=[ItemStatus.REMOVED, ItemStatus.CANCELLED])


def _period_items(*, user, start, end, local_authority=None, provider=None):
    items = visible_advice_items(user).filter(request__notified_on__gte=start, request__notified_on__lte=end)
    if local_authority is not None:
        items = items.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        items = items.filter(provider_id=provider.pk)
    return items


def _period_requests(*, user, start, end, local_authority=None, provider=None):
    requests = visible_advice_requests(user).filter(notified_on__gte=start, notified_on__lte=end)
    if local_authority is not None:
        requests = requests.filter(local_authority_id=local_authority.pk)
    if provider is not None:
        requests = requests.filter(provider_id=provider.pk)
    return requests


# Quarterly non-return audit ----------------------------------------------------------------

LATE_STAGES = [
    (Stage.REQUESTED, "Returned late before a chase"),
    (Stage.CHASED, "Returned late after a chase"),
    (Stage.ESCALATION_1, "Returned late after escalation 1"),
    (Stage.ESCALATION_2, "Returned late after escalation 2"),
]

# The furthest stage an item reached. The dates are the sweep's record; the stage column is read
# too in case an item was moved on without its date.
STAGE_REACHED = Case(
    When(Q(escalation_2_on__isnull=False) | Q(stage=Stage.ESCALATION_2), then=Value(Stage.ESCALATION_2)),
    When(Q(escalation_1_on__isnull=False) | Q(stage=Stage.ESCALATION_1), then=Value(Stage.ESCALATION_1)),
    When(Q(chased_on__isnull=False) | Q(stage=Stage.CHASED), then=Value(Stage.CHASED)),
    default=Value(Stage.REQUESTED),
    output_field=CharField(),
)


def _audit_counts():
    counts = {
        "requested": Count("id"),
        "within": Count("id", filter=WITHIN),
        "late": Count("id", filter=LATE),
        "not_provided": Count("id", filter=NOT_PROVIDED),
        "outstanding": Count("id", filter=OUTSTANDING),
        "withdrawn": Count("id", filter=WITHDRAWN),
    }
    for stage, _label in LATE_STAGES:
        counts[f"late_{stage}"] = Count("id", filter=LATE & Q(stage_reached=stage))
    return counts


@dataclass
class AuditReport:
    start: datetime.date
    end: datetime.date
    totals: dict
    by_provider: list
    by_team: list
    not_provided_reasons: list  # (label, count)
    delay_reasons: list
    not_provided_items: list
    delayed_items: list


def non_return_audit(*, user, start, end, local_authority=None, provider=None) -> AuditReport:
    """Advice items requested (SPOC notified) in [start, end], and what has become of them so far."""
    items = _period_items(
        user=user, start=start, end=end, local_authority=local_authority, provider=provider
    ).annotate(stage_reached=STAGE_REACHED)
    counts = _audit_counts()
    totals = items.aggregate(**counts)
    by_provider = list(
        items.values("provider_id", name=F("provider__name")).annotate(**counts).order_by("name")
    )
    by_team = list(
        items.values("team_id", name=F("team__name"), provider_name=F("provider__name"))
        .annotate(**counts)
        .order_by("provider_name", "name")
    )
    not_provided_reasons = _reason_counts(
        items.filter(NOT_PROVIDED), "not_provided_reason", NotProvidedReason
    )
    delay_reasons = _reason_counts(items.exclude(delay_reason=""), "delay_reason", DelayReason)
    listed = items.select_related("case", "provider", "team", "local_authority")
    return AuditReport(
        start=start,
        end=end,
        totals=totals,
        by_provider=by_provider,
        by_team=by_team,
        not_provided_reasons=not_provided_reasons,
        delay_reasons=delay_reasons,
        not_provided_items=list(listed.filter(NOT_PROVIDED).order_by("not_provided_reason", "due_on", "id")),
        delayed_items=list(listed.exclude(delay_reason="").order_by("delay_reason", "due_on", "id")),
    )


def _reason_counts(items, column, choices):
    """Every category, in the order the choices define it, with zero where none were recorded."""
    counted = {
        row[column]: row["count"] for row in items.values(column).annotate(count=Count("id")).order_by()
    }
    rows = [(label, counted.pop(value, 0)) for value, label in choices.choices]
    unrecorded = sum(counted.values())
    if unrecorded:
        rows.append(("No reason recorded", unrecorded))
    return rows


# Figures by month and by service (Torbay's slide) ------------------------------------------

KNOWN = [KnownStatus.KNOWN_OPEN, KnownStatus.KNOWN_CLOSED]


def _item_figures(today):
    """Counts for the monthly report. A share's denominator is advice whose outcome is known or
    whose due date has passed: items not yet due do not count against anyone."""
    return {
        "items": Count("id", filter=~WITHDRAWN),
        "returned": Count("id", filter=RETURNED),
        "within": Count("id", filter=WITHIN),
        "decided": Count("id", filter=RETURNED | NOT_PROVIDED | (OUTSTANDING & Q(due_on__lt=today))),
        "median_days": Median(days_between("request__notified_on", "returned_on"), filter=RETURNED),
    }


def _finish(row):
    row["share_within"] = _share(row["within"], row["decided"])
    return row


@dataclass
class MonthlyReport:
    start: datetime.date
    end: datetime.date
    months: list  # dicts: month, requests, known, not_known, items, returned, within, decided, ...
    totals: dict
    by_service: list
    by_team: list


def monthly_figures(*, user, today, start, end, local_authority=None, provider=None) -> MonthlyReport:
    requests = _period_requests(
        user=user, start=start, end=end, local_authority=local_authority, provider=provider
    )
    # A request is known to services if any team said the child is open to it or was within 12 months.
    known = Exists(AdviceItem.objects.filter(request_id=OuterRef("pk"), known_status__in=KNOWN))
    request_counts = {"requests": Count("id"), "known": Count("id", filter=known)}
    requests_by_month = {
        row["month"]: row
        for row in requests.annotate(month=TruncMonth("notified_on"))
        .values("month")
        .annotate(**request_counts)
        .order_by("month")
    }
    request_totals = requests.aggregate(**request_counts)

    items = _period_items(user=user, start=start, end=end, local_authority=local_authority, provider=provider)
    figures = _item_figures(today)
    items_by_month = {
        row["month"]: row
        for row in items.annotate(month=TruncMonth("request__notified_on"))
        .values("month")
        .annotate(**figures)
        .order_by("month")
    }
    item_totals = items.aggregate(**figures)

    empty_items = {"items": 0, "returned": 0, "within": 0, "decided": 0, "median_days": None}
    months = []
    for month in months_between(start, end):
        row = {"month": month, **requests_by_month.get(month, {"requests": 0, "known": 0})}
        row.update(
            {key: value for key, value in items_by_month.get(month, empty_items).items() if key != "month"}
        )
        row["not_known"] = row["requests"] - row["known"]
        months.append(_finish(row))
    totals = _finish({**request_totals, **item_totals})
    totals["not_known"] = totals["requests"] - totals["known"]

    service_labels = dict(Service.choices)
    by_service = [
        _finish({**row, "label": service_labels.get(row["service"], row["service"])})
        for row in items.values(service=F("team__service")).annotate(**figures).order_by("service")
    ]
    by_service.sort(key=lambda row: row["label"])
    by_team = [
        _finish(row)
        for row in items.values("team_id", name=F("team__name"), provider_name=F("provider__name"))
        .annotate(**figures)
        .order_by("provider_name", "name")
    ]
    return MonthlyReport(
        start=start, end=end, months=months, totals=totals, by_service=by_service, by_team=by_team
    )


# LA timeliness -----------------------------------------------------------------------------


def cases_in_scope(user):
    """The cases of the LAs in scope: visible_cases less cases shared in from elsewhere, which are
    another LA's to report on."""
    return visible_cases(user).filter(local_authority__in=local_authorities_in_scope(user))


@dataclass
class TimelinessReport:
    start: datetime.date
    end: datetime.date
    totals: dict
    by_la: list
    england_plans_within_20_weeks: float = ENGLAND_PLANS_WITHIN_20_WEEKS


def la_timeliness(*, user, start, end, local_authority=None) -> TimelinessReport:
    """Decisions notified and final plans issued in [start, end] (the SEN2 convention: a plan counts
    in the period it was issued), with the share on time, with and without the cases that had an
    exception under regulation 10(4)."""
    cases = cases_in_scope(user)
    if local_authority is not None:
        cases = cases.filter(local_authority_id=local_authority.pk)
    cases = cases.annotate(excepted=Exists(TimelineException.objects.filter(case_id=OuterRef("pk"))))
    decided = Q(decision_on__gte=start, decision_on__lte=end)
    decided_in_time = decided & Q(
        decision_on__lte=F("received_on") + datetime.timedelta(weeks=DECISION_WEEKS)
    )
    issued = Q(final_plan_issued_on__gte=start, final_plan_issued_on__lte=end)
    issued_in_time = issued & Q(
        final_plan_issued_on__lte=F("received_on") + datetime.timedelta(weeks=FINAL_PLAN_WEEKS)
    )
    not_excepted = Q(excepted=False)
    counts = {
        "decisions": Count("id", filter=decided),
        "decisions_in_time": Count("id", filter=decided_in_time),
        "decisions_to_assess": Count("id", filter=decided & Q(decided_to_assess=True)),
        "decisions_ex": Count("id", filter=decided & not_excepted),
        "decisions_in_time_ex": Count("id", filter=decided_in_time & not_excepted),
        "plans": Count("id", filter=issued),
        "plans_in_time": Count("id", filter=issued_in_time),
        "plans_ex": Count("id", filter=issued & not_excepted),
        "plans_in_time_ex": Count("id", filter=issued_in_time & not_excepted),
    }
    totals = _timeliness_shares(cases.aggregate(**counts))
    by_la = [
        _timeliness_shares(row)
        for row in cases.filter(decided | issued)
        .values("local_authority_id", name=F("local_authority__name"))
        .annotate(**counts)
        .order_by("name")
    ]
    return TimelinessReport(start=start, end=end, totals=totals, by_la=by_la)


def _timeliness_shares(row):
    row["decisions_share"] = _share(row["decisions_in_time"], row["decisions"])
    row["decisions_share_ex"] = _share(row["decisions_in_time_ex"], row["decisions_ex"])
    row["plans_share"] = _share(row["plans_in_time"], row["plans"])
    row["plans_share_ex"] = _share(row["plans_in_time_ex"], row["plans_ex"])
    return row
