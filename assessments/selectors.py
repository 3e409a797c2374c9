"""Reads shared by the case pages: a fixed number of queries whatever the lists hold."""

import datetime
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, JSONObject

from advice.models import AdviceItem, AdviceRequest, ItemStatus, Stage
from ehc.access import la_cases_q, visible_advice_items, visible_advice_requests, visible_cases
from ehc.models import AuditEvent, Organisation, OrganisationKind, Role, User
from escalation.models import Escalation, StageChange

from .forms import case_officers
from .models import CLOSED_STATUSES, Case, CaseShare, DraftComment, TimelineException
from .timeline import AMBER_DAYS

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    has_previous: bool


def decode_cursor(cursor: str | None):
    """A cursor is 'YYYY-MM-DD.id' (open cases) or 'id' (closed cases). Bad cursors start from the top."""
    if not cursor:
        return None
    try:
        if "." in cursor:
            date_part, id_part = cursor.split(".", 1)
            return datetime.date.fromisoformat(date_part), int(id_part)
        return None, int(cursor)
    except ValueError:
        return None


def _count(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n")[:1]),
        0,
    )


# What templates/assessments/caseload.html shows of a case, and its officer's name (str(user)).
CASELOAD_COLUMNS = (
    "id",
    "reference",
    "local_authority_id",
    "case_officer_id",
    "status",
    "first_name",
    "last_name",
    "received_on",
    "next_statutory_date",
    "case_officer__first_name",
    "case_officer__last_name",
    "case_officer__username",
)


def caseload(
    *, user, today: datetime.date, show="open", mine=False, rag="", q="", cursor=None, page_size=PAGE_SIZE
) -> Page:
    """The LA's own cases, sorted by next statutory date, keyset-paginated.

    The caseload is the LA's work list, so it is scoped by the LA foreign key (and the need-to-know
    rule of `ehc.access.la_cases_q`) alone (a case
    shared in from another LA opens from its link but is not another LA's work): that keeps
    the query on the (local_authority, next_statutory_date, id) index. The advice counts are
    correlated subqueries, so they are computed for the page's rows only, not for every case.
    """
    if user.organisation_id is None or not user.organisation.is_la:
        return Page(rows=[], next_cursor=None, has_previous=False)
    outstanding = AdviceItem.objects.filter(case_id=OuterRef("pk"), status=ItemStatus.OUTSTANDING)
    # Only the columns the list shows: a case row is mostly the family's text, and reading and
    # decoding it was most of this selector's time (issue 8, B8a).
    cases = (
        Case.objects.filter(la_cases_q(user))
        .select_related("case_officer")
        .only(*CASELOAD_COLUMNS)
    )
    cases = cases.annotate(
        outstanding_advice=_count(outstanding),
        overdue_advice=_count(outstanding.filter(due_on__lt=today)),
        has_exception=Exists(TimelineException.objects.filter(case_id=OuterRef("pk"))),
    )
    if mine:
        cases = cases.filter(case_officer=user)
    if q:
        q = q.strip()
        cases = cases.filter(Q(reference__iexact=q) | Q(first_name__istartswith=q) | Q(last_name__istartswith=q))
    position = decode_cursor(cursor)
    if show == "closed":
        cases = cases.filter(status__in=CLOSED_STATUSES).order_by("-id")
        if position:
            cases = cases.filter(id__lt=position[1])
    else:
        cases = cases.exclude(status__in=CLOSED_STATUSES)
        if rag == "red":
            cases = cases.filter(next_statutory_date__lt=today)
        elif rag == "amber":
            cases = cases.filter(
                next_statutory_date__gte=today,
                next_statutory_date__lte=today + datetime.timedelta(days=AMBER_DAYS),
            )
        elif rag == "green":
            cases = cases.filter(next_statutory_date__gt=today + datetime.timedelta(days=AMBER_DAYS))
        cases = cases.order_by("next_statutory_date", "id")
        if position and position[0] is not None:
            date, last_id = position
            cases = cases.filter(Q(next_statutory_date__gt=date) | Q(next_statutory_date=date, id__gt=last_id))
    rows = list(cases[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        next_cursor = str(last.id) if show == "closed" else f"{last.next_statutory_date.isoformat()}.{last.id}"
    return Page(rows=rows, next_cursor=next_cursor, has_previous=bool(position))


AUDIT_EVENTS_SHOWN = 100


def _audit_events_of(events, user):
    """The audit trail as `user` may see it: health staff see their own organisation's events only,
    since another provider's events would reveal that provider's involvement."""
    if user.organisation_id is None or user.organisation.is_provider:
        events = events.filter(organisation_id=user.organisation_id)
    return events.order_by("-at", "-id")


# The case page ---------------------------------------------------------------------------------
#
# The page shows a dozen short lists. Each travels inside the case's own row as a JSON array
# (`json_rows`) and is turned back into model instances (`as_instances`), so the page costs the case
# row, the audit INSERT and the advice items (issue 8, B6: <= 5 queries for the whole request)
# however many exceptions, escalations, letters or stage changes the case holds. Each list keeps
# the access rule of the selector it stands for: the same `ehc.access` querysets filter it.

USER_NAME = ("id", "first_name", "last_name", "username")  # what str(user) reads


def json_rows(queryset, *fields):
    """`ARRAY(SELECT jsonb_build_object(...))` over `queryset`, in its order. Fields may follow
    relations ('team__name'): `as_instances` rebuilds the related instance from them."""
    return ArraySubquery(queryset.values(row=JSONObject(**{field: field for field in fields})))


def _related(name, *fields):
    return [f"{name}__{field}" for field in fields]


def _instance(model, row):
    own, related = {}, {}
    extra = {}
    for key, value in row.items():
        name, _, rest = key.partition("__")
        if rest:
            related.setdefault(name, {})[rest] = value
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            extra[name] = value
            continue
        own[field.attname] = field.to_python(value)
    # from_db takes the values in the model's field order (jsonb keeps its keys in its own order).
    names = [field.attname for field in model._meta.concrete_fields if field.attname in own]
    instance = model.from_db(DEFAULT_DB_ALIAS, names, [own[name] for name in names])
    for name, values in related.items():
        field = model._meta.get_field(name)
        found = any(value is not None for value in values.values())  # nulls only: a LEFT JOIN found nothing
        # Cached, None too, as select_related leaves it: reading it (`escalation.letter`) makes no query.
        field.set_cached_value(instance, _instance(field.related_model, values) if found else None)
    for name, value in extra.items():
        setattr(instance, name, value)
    return instance


def as_instances(model, rows) -> list:
    """Model instances from `json_rows` rows, each field back in its own type (dates, datetimes),
    related instances cached as select_related leaves them: reading them makes no query."""
    return [_instance(model, row) for row in rows or []]


def _concrete(model):
    return [field.attname for field in model._meta.concrete_fields]


@dataclass
class CasePage:
    exceptions: list
    audit_events: list
    advice_panel: object
    escalations: dict
    officers: list
    shares: list


def case_page_cases(*, user):
    """The cases `user` may open, each carrying what its page shows (see above).

    Officers to choose from and whether any provider is left to ask are read for LA editors only:
    nobody else is offered those forms.
    """
    la_editor = user.organisation_id is not None and user.has_role(Role.CASE_OFFICER, Role.BUSINESS_SUPPORT)
    case = OuterRef("pk")
    exceptions = TimelineException.objects.filter(case_id=case).order_by("starts_on", "id")
    # One place is kept for the event of this very view, written after this read (`case_page`).
    events = _audit_events_of(AuditEvent.objects.filter(case_id=case), user)[: AUDIT_EVENTS_SHOWN - 1]
    requests = visible_advice_requests(user).filter(case_id=case).order_by()
    escalations = (
        Escalation.objects.filter(request__case_id=case)
        .filter(Exists(visible_advice_requests(user).order_by().filter(pk=OuterRef("request_id"))))
        .annotate(
            has_outstanding=Exists(
                AdviceItem.objects.filter(request_id=OuterRef("request_id"), status=ItemStatus.OUTSTANDING)
            )
        )
        .order_by("issued_on", "id")
    )
    stage_changes = (
        StageChange.objects.filter(item__case_id=case)
        .filter(Exists(visible_advice_items(user).filter(pk=OuterRef("item_id"))))
        .order_by("on", "id")
    )
    comments = DraftComment.objects.filter(draft_plan__case_id=case).order_by("created_at", "id")
    cases = visible_cases(user).select_related("local_authority", "case_officer", "draft_plan__recorded_by")
    cases = cases.annotate(
        exception_rows=json_rows(exceptions, *_concrete(TimelineException), *_related("recorded_by", *USER_NAME)),
        audit_rows=json_rows(
            events, *_concrete(AuditEvent), *_related("organisation", "id", "name", "short_name", "kind")
        ),
        request_rows=json_rows(requests, *_concrete(AdviceRequest), *_related("provider", "id", "name", "short_name")),
        escalation_rows=json_rows(
            escalations,
            *_concrete(Escalation),
            "has_outstanding",
            *_related("provider", "id", "name", "short_name"),
            *_related("local_authority", "id", "name", "icb_id"),
            *_related("responded_by", *USER_NAME),
            *_related("letter", "id", "created_at", "updated_at", "escalation_id", "dated", "sha256", "rendered_at",
                     "approval_required", "approved_at"),
        ),
        stage_change_rows=json_rows(
            stage_changes, *_concrete(StageChange), "item__id", *_related("item__team", "id", "name", "provider_id")
        ),
        comment_rows=json_rows(
            comments,
            *_concrete(DraftComment),
            *_related("author", *USER_NAME),
            *_related("team", "id", "name", "provider_id"),
        ),
    )
    if la_editor:
        providers_left = Organisation.objects.filter(
            kind=OrganisationKind.HEALTH_PROVIDER, is_active=True, served_las=OuterRef("local_authority_id")
        ).filter(~Exists(AdviceRequest.objects.filter(provider_id=OuterRef("pk"), case_id=OuterRef(OuterRef("pk")))))
        cases = cases.annotate(
            officer_rows=json_rows(
                case_officers(OuterRef("local_authority_id")).filter(organisation_id=user.organisation_id),
                *USER_NAME,
            ),
            can_request_advice=Exists(providers_left),
            share_rows=json_rows(
                CaseShare.objects.current().filter(case_id=case).order_by("expires_at", "id"),
                *_concrete(CaseShare),
                *_related("user", *USER_NAME, "email"),
                *_related("shared_by", *USER_NAME),
            ),
        )
    return cases


def case_page(*, case, user, today: datetime.date, viewed=None) -> CasePage:
    """What the case page shows, from a case of `case_page_cases` and one query for the advice items.

    `viewed` is the audit event of this very view, written after the case was read: it heads the
    trail as it would had the trail been read after it.
    """
    from advice.selectors import advice_items_for, case_advice_panel
    from escalation.selectors import case_escalations

    items = list(
        advice_items_for(user)
        .filter(case=case)
        .select_related("team", "provider", "request", "advice_return", "head_of_service_responded_by")
        .order_by("team__name", "id")
    )
    events = as_instances(AuditEvent, case.audit_rows)
    if viewed is not None:
        if viewed.organisation_id is not None and viewed.organisation_id == user.organisation_id:
            viewed.organisation = user.organisation
        events = [viewed, *events]
    panel = case_advice_panel(
        case=case,
        user=user,
        today=today,
        requests=as_instances(AdviceRequest, case.request_rows),
        items=items,
        can_request=getattr(case, "can_request_advice", None),
        comments=as_instances(DraftComment, case.comment_rows),
    )
    escalations = as_instances(Escalation, case.escalation_rows)
    for escalation in escalations:
        escalation.letter_row = getattr(escalation, "letter", None)  # as case_escalations names it
    escalated = None
    if not user.is_provider_user or user.has_role(Role.SPOC, Role.HEAD_OF_SERVICE):
        # For these users advice_items_for is visible_advice_items, what the section would read; a
        # practitioner's page also lists other teams' items, so the section reads its own.
        escalated = [
            item for item in items if item.stage == Stage.ESCALATION_2 or item.head_of_service_responded_at is not None
        ]
    return CasePage(
        exceptions=as_instances(TimelineException, case.exception_rows),
        audit_events=events,
        advice_panel=panel,
        escalations=case_escalations(
            case=case,
            user=user,
            today=today,
            escalations=escalations,
            stage_changes=as_instances(StageChange, case.stage_change_rows),
            escalated_items=escalated,
        ),
        officers=as_instances(User, getattr(case, "officer_rows", None)),
        shares=as_instances(CaseShare, getattr(case, "share_rows", None)),
    )
