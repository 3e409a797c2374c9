"""Reads shared by the case pages: a fixed number of queries whatever the lists hold."""

import datetime
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q

from ehc.access import la_cases_q
from ehc.json_rows import USER_NAME, as_instances, concrete_fields, json_rows, related_fields
from ehc.models import AuditEvent, Role, User
from ehc.pagination import PAGE_SIZE, Page
from ehc.sorting import SURNAME_WORDS, SortKey, sort_read, sorted_page, text_key

from .access import visible_cases
from .forms import case_officers
from .models import CLOSED_STATUSES, Case, CaseShare, CaseStatus, TimelineException
from .sections import case_sections, caseload_columns, caseload_filter
from .timeline import AMBER_DAYS

# What templates/assessments/caseload.html shows of a case, and its officer's name (str(user)).
CASELOAD_COLUMNS = (
    "id",
    "reference",
    "local_authority_id",
    "case_officer_id",
    "status",
    "child__first_name",
    "child__last_name",
    "received_on",
    "next_statutory_date",
    "case_officer__first_name",
    "case_officer__last_name",
    "case_officer__username",
)


CASELOAD_PAGE_SIZE = PAGE_SIZE

# The caseload's columns a user may sort by (?sort=officer). The default orders are the indexes'
# (local_authority, next_statutory_date, id) for open cases and the id, newest first, for closed
# ones; the others sort one LA's cases, already filtered by the LA.
CASELOAD_SORT_KEYS = (
    SortKey("next", "next_statutory_date", nullable=True),
    SortKey("received", "received_on"),
    SortKey("recent", "id", kind="int", ascending_words="oldest first", descending_words="newest first"),
    text_key("reference", "reference", nullable=True),
    text_key("child", "child__last_name", **SURNAME_WORDS),
    text_key("officer", "case_officer__last_name", nullable=True),
)


def caseload_sort(value, *, show="open"):
    """The caseload's Sort from `?sort=`; anything unknown is the list's default order."""
    return sort_read(value, CASELOAD_SORT_KEYS, "-recent" if show == "closed" else "next")


def caseload_cases(*, user, today: datetime.date, show="open", mine=False, rag="", q="", stage=""):
    """The LA's own cases the caseload lists with these filters, unordered and unpaginated: the
    caseload's rows and the home page's counts are this one queryset (decision 0037).

    The caseload is the LA's work list, so it is scoped by the LA foreign key (and the need-to-know
    rule of `ehc.access.la_cases_q`) alone (a case
    shared in from another LA opens from its link but is not another LA's work): that keeps
    the query on the (local_authority, next_statutory_date, id) index.

    `stage`: awaiting a decision to assess (the case's status), or a stage another app registered
    (assessments.sections.register_caseload_filter: "ready_to_draft", the drafting gate open)."""
    if user.organisation_id is None or not user.organisation.is_la:
        return Case.objects.none()
    cases = Case.objects.filter(la_cases_q(user))
    if mine:
        cases = cases.filter(case_officer=user)
    if q:
        q = q.strip()
        cases = cases.filter(
            Q(reference__iexact=q) | Q(child__first_name__istartswith=q) | Q(child__last_name__istartswith=q)
        )
    if show == "closed":
        return cases.filter(status__in=CLOSED_STATUSES)
    cases = cases.exclude(status__in=CLOSED_STATUSES)
    if stage == CaseStatus.AWAITING_DECISION:
        cases = cases.filter(status=CaseStatus.AWAITING_DECISION)
    elif stage and (registered := caseload_filter(stage)) is not None:
        cases = cases.filter(registered)
    if rag == "red":
        cases = cases.filter(next_statutory_date__lt=today)
    elif rag == "amber":
        cases = cases.filter(
            next_statutory_date__gte=today,
            next_statutory_date__lte=today + datetime.timedelta(days=AMBER_DAYS),
        )
    elif rag == "green":
        cases = cases.filter(next_statutory_date__gt=today + datetime.timedelta(days=AMBER_DAYS))
    return cases


def caseload(
    *,
    user,
    today: datetime.date,
    show="open",
    mine=False,
    rag="",
    q="",
    stage="",
    sort=None,
    cursor=None,
    page_size=PAGE_SIZE,
) -> Page:
    """caseload_cases in the chosen order (by default by next statutory date), keyset-paginated.

    The advice counts (columns the advice app adds: `sections.register_caseload_columns`) are
    correlated subqueries, so they are computed for the page's rows only, not for every case.
    """
    if user.organisation_id is None or not user.organisation.is_la:
        return Page(rows=[], next_cursor=None, has_previous=False)
    # Only the columns the list shows: a case row is mostly the family's text, and reading and
    # decoding it was most of this selector's time (issue 8, B8a).
    cases = (
        caseload_cases(user=user, today=today, show=show, mine=mine, rag=rag, q=q, stage=stage)
        .select_related("child", "case_officer")
        .only(*CASELOAD_COLUMNS)
    )
    cases = cases.annotate(
        **caseload_columns(today),
        has_exception=Exists(TimelineException.objects.filter(case_id=OuterRef("pk"))),
    )
    return sorted_page(cases, sort or caseload_sort(None, show=show), cursor, page_size)


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
# (`ehc.json_rows`) and is turned back into model instances (`as_instances`), so the page costs the
# case row, the audit INSERT and the advice items (issue 8, B6: <= 5 queries for the whole request)
# however many exceptions, escalations, letters or stage changes the case holds. Each list keeps
# the access rule of the selector it stands for: the same access querysets filter it. The advice and
# escalation sections add their own lists (assessments.sections, filled in by those apps).


@dataclass
class CasePage:
    exceptions: list
    audit_events: list
    officers: list
    shares: list
    # The child's other requests the user may see, latest first.
    child_cases: list
    # Each registered section's content by its name (assessments.sections), in page order.
    sections: dict


def case_page_cases(*, user):
    """The cases `user` may open, each carrying what its page shows (see above).

    Officers to choose from are read for LA editors only: nobody else is offered that form.
    """
    la_editor = user.organisation_id is not None and user.has_role(Role.CASE_OFFICER, Role.BUSINESS_SUPPORT)
    case = OuterRef("pk")
    chosen_items = TimelineException._meta.get_field("advice_items").through
    exceptions = (
        TimelineException.objects.filter(case_id=case)
        .annotate(
            chosen_item_ids=ArraySubquery(
                chosen_items.objects.filter(timelineexception_id=OuterRef("pk")).values("adviceitem_id")
            )
        )
        .order_by("starts_on", "id")
    )
    # One place is kept for the event of this very view, written after this read (`case_page`).
    events = _audit_events_of(AuditEvent.objects.filter(case_id=case), user)[: AUDIT_EVENTS_SHOWN - 1]
    cases = visible_cases(user).select_related(
        "child", "local_authority__la_settings", "case_officer", "draft_plan__recorded_by"
    )
    # The child's other requests (a second request, a new one after a refusal), those `user` may see.
    child_cases = (
        visible_cases(user)
        .filter(child_id=OuterRef("child_id"))
        .exclude(pk=case)
        .order_by("-received_on", "-id")
    )
    cases = cases.annotate(
        exception_rows=json_rows(
            exceptions,
            *concrete_fields(TimelineException),
            "chosen_item_ids",
            *related_fields("recorded_by", *USER_NAME),
        ),
        child_case_rows=json_rows(child_cases, "id", "reference", "received_on", "status"),
        audit_rows=json_rows(
            events, *concrete_fields(AuditEvent), *related_fields("organisation", "id", "name", "short_name", "kind")
        ),
    )
    for section in case_sections():
        cases = cases.annotate(**section.annotate(user, case))
    if la_editor:
        cases = cases.annotate(
            officer_rows=json_rows(
                case_officers(OuterRef("local_authority_id")).filter(organisation_id=user.organisation_id),
                *USER_NAME,
            ),
            share_rows=json_rows(
                CaseShare.objects.current().filter(case_id=case).order_by("expires_at", "id"),
                *concrete_fields(CaseShare),
                *related_fields("user", *USER_NAME, "email"),
                *related_fields("shared_by", *USER_NAME),
            ),
        )
    return cases


def case_page(*, case, user, today: datetime.date, viewed=None) -> CasePage:
    """What the case page shows, from a case of `case_page_cases` and what each section reads (the
    advice section: one query for the advice items).

    `viewed` is the audit event of this very view, written after the case was read: it heads the
    trail as it would had the trail been read after it.
    """
    events = as_instances(AuditEvent, case.audit_rows)
    if viewed is not None:
        if viewed.organisation_id is not None and viewed.organisation_id == user.organisation_id:
            viewed.organisation = user.organisation
        events = [viewed, *events]
    exceptions = as_instances(TimelineException, case.exception_rows)
    for exception in exceptions:
        exception.chosen_item_ids = set(exception.chosen_item_ids or ())
    read = {"exceptions": exceptions}
    built = {
        section.name: section.build(case=case, user=user, today=today, read=read)
        for section in sorted(case_sections(), key=lambda section: section.build_order)
    }
    return CasePage(
        exceptions=exceptions,
        audit_events=events,
        officers=as_instances(User, getattr(case, "officer_rows", None)),
        shares=as_instances(CaseShare, getattr(case, "share_rows", None)),
        child_cases=as_instances(Case, case.child_case_rows),
        sections={section.name: built[section.name] for section in case_sections()},
    )
