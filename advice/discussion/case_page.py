"""What the case discussion adds to the case page (registered in `AdviceConfig.ready()`): a link to the
discussion with its unread count, for those on it, and the "Professionals on this case" panel. Both
read what they show with the case's own row (assessments.sections), so the page's query count does not
grow with either."""

from dataclasses import dataclass, field

from django.db.models import Exists, F

from assessments.sections import CaseSection
from ehc.access import works_on_cases
from ehc.json_rows import as_instances, json_rows, related_fields
from ehc.models import LocalAuthoritySettings

from ..models import AdviceItem, AdviceRequest, ItemStatus
from .access import discussion_cases
from .selectors import message_count_expression, unread_count_expression


def _discussion_annotate(user, case):
    if not works_on_cases(user):
        return {}
    return {
        "discussion_on": Exists(discussion_cases(user).filter(pk=case)),
        "discussion_message_count": message_count_expression(case),
        "discussion_unread_count": unread_count_expression(user, case),
    }


@dataclass
class DiscussionLink:
    messages: int
    unread: int


def _discussion_build(*, case, user, today, read):
    if not getattr(case, "discussion_on", False):
        return None
    return DiscussionLink(messages=case.discussion_message_count, unread=case.discussion_unread_count)


DISCUSSION_SECTION = CaseSection(
    name="discussion_link",
    template="advice/discussion/_case_discussion.html",
    order=1,
    annotate=_discussion_annotate,
    build=_discussion_build,
    build_order=60,
)


def _professionals_annotate(user, case):
    if not works_on_cases(user):
        return {}
    requests = AdviceRequest.objects.filter(case_id=case).order_by("provider__name", "id")
    items = AdviceItem.objects.filter(case_id=case).exclude(status=ItemStatus.REMOVED).order_by("team__name", "-id")
    return {
        "professional_request_rows": json_rows(
            requests,
            "id",
            "provider_id",
            "notified_on",
            "acknowledged_at",
            "review_id",
            *related_fields("provider", "id", "name", "spoc_email"),
        ),
        "professional_item_rows": json_rows(
            items,
            "id",
            "request_id",
            "team_id",
            "provider_id",
            "status",
            "due_on",
            *related_fields("team", "id", "name", "email"),
        ),
        "area_name": F("local_authority__icb__name"),
    }


@dataclass
class TeamOnCase:
    item: AdviceItem
    # Whether the user may see this team's advice (advice.access.advice_items_for): its state is
    # shown only then, as on the health advice panel.
    state_shown: bool


@dataclass
class ProviderOnCase:
    request: AdviceRequest
    teams: list = field(default_factory=list)


@dataclass
class Professionals:
    case_officer: object
    send_mailbox: str
    area_name: str
    dco_office: str
    providers: list


def _professionals_build(*, case, user, today, read):
    if not hasattr(case, "professional_item_rows"):
        return None
    shown = {item.pk for item in read.get("advice_items", [])}
    providers = {}
    for advice_request in as_instances(AdviceRequest, case.professional_request_rows):
        # One row per provider, its first request's acknowledgement shown (a review's later request
        # to the same provider names the same SPOC mailbox).
        providers.setdefault(advice_request.provider_id, ProviderOnCase(request=advice_request))
    seen_teams = set()
    for item in as_instances(AdviceItem, case.professional_item_rows):
        # A team asked again (for an annual review) is shown once, by its newest item.
        if item.team_id in seen_teams or item.provider_id not in providers:
            continue
        seen_teams.add(item.team_id)
        providers[item.provider_id].teams.append(TeamOnCase(item=item, state_shown=item.pk in shown))
    try:
        la_settings = case.local_authority.la_settings
    except LocalAuthoritySettings.DoesNotExist:
        la_settings = None
    return Professionals(
        case_officer=case.case_officer,
        send_mailbox=la_settings.business_support_email if la_settings else "",
        area_name=case.area_name or "",
        dco_office=la_settings.dco_office_email if la_settings else "",
        providers=list(providers.values()),
    )


PROFESSIONALS_SECTION = CaseSection(
    name="professionals",
    template="advice/discussion/_case_professionals.html",
    order=12,
    annotate=_professionals_annotate,
    build=_professionals_build,
    # After the health advice section, whose advice items say whose state the user may see.
    build_order=15,
)
