"""The access matrix: every URL the project resolves, for every role in our organisations and in
theirs, on our object, on theirs and on a missing one.

Rules checked:
- a role the table allows gets the page (200 or a redirect; an empty POST gets its form errors);
- a role it does not allow gets 404, the same as a page that does not exist;
- another organisation's (or another area's) object is indistinguishable from a missing one:
  the same status and the same body;
- anonymous and deactivated users are sent to sign in;
- a refused request changes nothing.

URLS classifies every named URL (MOVED the old addresses that only redirect); a URL added later
without a line here fails
`test_every_url_is_classified`. The admin's own URLs are covered by tests/security/test_admin_scope.py;
here the admin index must not be served to anyone (only the platform's superusers reach it).
"""

import datetime
import hashlib
import re
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from administration.models import CaseloadUpload, UploadStatus
from advice.discussion.models import CaseMessage, DiscussionReceipt, MessageAttachment, MessageMention
from advice.discussion.services import discussion_message_post
from advice.models import AdviceItem, AdviceRequest, AdviceReturn
from advice.provision import ProvisionType, provision_types_seed
from advice.services import advice_request_send, advice_return, draft_plan_record
from advice.uploads import check_upload
from api.models import ApiClient
from assessments.models import (
    AnnualReview,
    Case,
    CaseShare,
    CaseStatus,
    DraftComment,
    DraftPlan,
    ExceptionReason,
    TimelineException,
)
from assessments.sharing import case_share, case_share_revoke
from ehc.models import (
    ClosureDay,
    LocalAuthoritySettings,
    MessageKind,
    Notification,
    Organisation,
    OutboundEmail,
    Role,
    SavedFilter,
    Service,
    Team,
)
from escalation.exceptions import exception_record
from escalation.letters import letter_render
from escalation.models import Escalation, EscalationStage, Letter, WordingKind, WordingVersion
from escalation.wording import DEFAULTS
from tests.administration.images import png as png_bytes
from tests.advice.files import pdf_bytes
from tests.api.clients import api_client_for
from tests.escalation.conftest import make_request, sweep
from tests.factories import CaseFactory, LocalAuthorityFactory, UserFactory, verified_login

from . import figures

LA3 = {"case_officer", "business_support", "ad", "send_manager"}
LA_EDITORS = {"case_officer", "business_support"}
PROVIDER = {"spoc", "slt_practitioner", "ot_practitioner", "head_of_service"}
SEES_CASE = LA3 | PROVIDER | {"dco"}
# Case officers of a partner council holding a share of our case (issue 13, finding 3): current,
# expired and revoked. In their own council they have the pages any case officer has.
SHARED = {"shared_current", "shared_expired", "shared_revoked"}
# The OT practitioner too: professionals of one provider on the same case see each other's advice
# (advice.access.advice_items_for), and OT has an item on that case.
SEES_RETURNED_ITEM = LA3 | {"dco", "spoc", "head_of_service", "slt_practitioner", "ot_practitioner"}
CLOSES_OPEN_ITEM = {"ot_practitioner", "spoc"} | LA_EDITORS
DASHBOARD = {"dco", "ad", "business_support", "send_manager"}
REPORTS = DASHBOARD | {"case_officer"} | SHARED
# The SEN2 return (decision 0032): person-level data on every child of the LA, for the council's
# SEND manager and business support only; not the ICB, not case officers.
SEN2 = {"business_support", "send_manager"}
# Accounts with no case-work role (issue 13, finding 2): an administrator or no role at all, on
# every side. They get the home page (which says so) and nothing else.
NO_CASE_WORK = {"la_admin", "la_norole", "provider_admin", "provider_norole", "icb_admin", "icb_norole"}
# The provider's director with a letters-only account (decision 0016): the letters sent to their
# address, and the pages everyone has; no case work at all.
LETTERS_ONLY = {"letters_only"}
SEES_LETTER = LA3 | {"dco", "spoc", "head_of_service"} | LETTERS_ONLY
# Commissioners (issue 20), an ICB's and an LA's: the commissioning report and its anonymised rows,
# and the pages everyone has; no case work at all.
COMMISSIONERS = {"icb_commissioner", "la_commissioner"}
COMMISSIONING = {"dco"} | COMMISSIONERS
EVERYONE = SEES_CASE | SHARED | NO_CASE_WORK | LETTERS_ONLY | COMMISSIONERS
# Each organisation's administrators (issue 16): their own organisation's people and settings.
ADMINS = {"la_admin", "provider_admin", "icb_admin"}
LA_ADMIN, PROVIDER_ADMIN, ICB_ADMIN = {"la_admin"}, {"provider_admin"}, {"icb_admin"}

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")

# name -> (object each URL argument is filled from, methods tried, roles allowed on their own object)
URLS = {
    "home": ({}, GET, EVERYONE),
    "assessments:caseload": ({}, GET, LA3 | SHARED),
    "assessments:case_create": ({}, BOTH, LA_EDITORS | SHARED),
    # Everyone who works on cases searches; what they find is what they may see (tests/assessments/test_search.py).
    "assessments:search": ({}, GET, SEES_CASE | SHARED),
    "assessments:case_detail": ({"pk": "case"}, GET, SEES_CASE | {"shared_current"}),
    "assessments:case_edit": ({"pk": "case"}, BOTH, LA_EDITORS),
    "assessments:record_decision": ({"pk": "case"}, BOTH, LA_EDITORS),
    "assessments:record_not_issuing": ({"pk": "case"}, BOTH, LA_EDITORS),
    "assessments:record_final_plan": ({"pk": "case"}, BOTH, LA_EDITORS),
    "assessments:close_case": ({"pk": "case"}, BOTH, LA_EDITORS),
    "assessments:assign_officer": ({"pk": "case"}, POST, LA_EDITORS),
    "assessments:share_case": ({"pk": "case"}, BOTH, LA_EDITORS),
    "assessments:revoke_share": ({"pk": "case", "share_pk": "share"}, POST, LA_EDITORS),
    # A caseload moved at once (issue 23): the council's administrator and SEND manager, counts only.
    "assessments:caseload_move": ({}, BOTH, {"la_admin", "send_manager"}),
    "advice:spoc_queue": ({}, GET, {"spoc"}),
    "advice:team_queue": ({}, GET, {"slt_practitioner", "ot_practitioner"}),
    "advice:request_create": ({"case_pk": "case"}, BOTH, LA_EDITORS),
    "advice:draft_plan_record": ({"case_pk": "case"}, BOTH, LA_EDITORS),
    "advice:draft_comment": ({"case_pk": "draft_case"}, BOTH, {"slt_practitioner", "spoc", "head_of_service"}),
    "advice:request_detail": ({"pk": "request"}, GET, SEES_CASE),
    # The case discussion (decision 0046): the professionals whose organisation is party to the case;
    # a share of the case (shared_current) reads the case, not the discussion.
    "advice:discussion": ({"case_pk": "case"}, BOTH, SEES_CASE),
    # Each user's own list of discussions with unread messages: anyone who works on cases.
    "advice:discussions": ({}, GET, SEES_CASE | SHARED),
    "advice:discussion_attachment": ({"case_pk": "case", "pk": "discussion_attachment"}, GET, SEES_CASE),
    "advice:acknowledge": ({"pk": "request"}, BOTH, {"spoc"}),
    # Several requests acknowledged on one page (decision 0035): with none ticked, the queue's error.
    "advice:acknowledge_several": ({}, BOTH, {"spoc"}),
    # Its confirmation (issue 23): the SPOC; with nothing acknowledged in the session, back to the queue.
    "advice:acknowledged_several": ({}, GET, {"spoc"}),
    "advice:item_detail": ({"pk": "returned_item"}, GET, SEES_RETURNED_ITEM),
    "advice:item_return": ({"pk": "open_item"}, BOTH, {"ot_practitioner", "spoc"}),
    # Amending returned advice: those who may return it (the team, the SPOC), as for returning it.
    "advice:item_amend": ({"pk": "returned_item"}, BOTH, {"slt_practitioner", "spoc"}),
    # The LA's quality check of returned advice (decision 0049): those who may edit the case; the
    # provider's people read the outcome on the item's page, and cannot accept.
    "advice:item_quality": ({"pk": "returned_item"}, BOTH, LA_EDITORS),
    "advice:item_not_provided": ({"pk": "open_item"}, BOTH, CLOSES_OPEN_ITEM),
    "advice:item_exception": ({"pk": "open_item"}, BOTH, CLOSES_OPEN_ITEM),
    "advice:document_download": ({"pk": "returned_item"}, GET, SEES_RETURNED_ITEM),
    "advice:return_document": ({"pk": "returned_advice", "number": "first_document"}, GET, SEES_RETURNED_ITEM),
    # A team lead's sign-off (decision 0036): only a lead of the item's team, and nobody in this cast
    # leads one, so every role here gets the 404; the leads' side is tests/advice/test_sign_off_pages.py.
    "advice:sign_off_queue": ({}, GET, set()),
    "advice:sign_off_review": ({"pk": "open_item"}, BOTH, set()),
    "advice:draft_document": ({"pk": "open_item", "number": "first_document"}, GET, set()),
    "escalation:hos_queue": ({}, GET, {"head_of_service", "spoc"}),
    "escalation:hos_outcome": ({"pk": "escalated_item"}, BOTH, {"head_of_service", "spoc"}),
    "escalation:responses_owed": ({}, GET, {"dco"}),
    "escalation:respond": ({"pk": "escalation"}, BOTH, {"dco"}),
    "escalation:letter_download": ({"pk": "letter"}, GET, SEES_LETTER),
    "escalation:letter_detail": ({"pk": "letter"}, GET, SEES_LETTER),
    # The AD Education's queue and one click on a letter waiting in it; giving the addressee an account.
    "escalation:approvals": ({}, GET, {"ad"}),
    "escalation:letter_approve": ({"pk": "awaiting_letter"}, POST, {"ad"}),
    "escalation:letter_account": ({"pk": "letter"}, POST, {"business_support", "ad"}),
    "escalation:my_letters": ({}, GET, LETTERS_ONLY),
    "reports:dashboard": ({}, GET, DASHBOARD),
    "reports:items": ({}, GET, DASHBOARD),
    "reports:items_csv": ({}, GET, DASHBOARD),
    "reports:index": ({}, GET, REPORTS),
    "reports:audit": ({}, GET, REPORTS),
    "reports:monthly": ({}, GET, REPORTS),
    "reports:timeliness": ({}, GET, REPORTS),
    "reports:sen2": ({}, GET, SEN2),
    "reports:sen2_xml": ({}, GET, SEN2),
    "escalation:exception_new": ({"pk": "case"}, BOTH, LA_EDITORS),
    "escalation:exception_change": ({"pk": "exception"}, BOTH, LA_EDITORS),
    "escalation:exception_end": ({"pk": "exception"}, BOTH, LA_EDITORS),
    "escalation:resolutions_due": ({}, GET, {"dco"}),
    "escalation:resolve": ({"pk": "escalated_item"}, BOTH, {"dco"}),
    # A notification is its one user's: the case officer's here, nobody else's, in any organisation.
    "notifications": ({}, GET, EVERYONE),
    "notifications_read_all": ({}, POST, EVERYONE),
    "notification_open": ({"pk": "notification"}, GET, {"case_officer"}),
    # Saved filters (issue 23): anyone saves their own; a saved filter is its one user's, like a notification.
    "saved_filter_save": ({}, POST, EVERYONE),
    "saved_filter_delete": ({"pk": "saved_filter"}, POST, {"case_officer"}),
    # Administration (issue 16): an administrator's own organisation only.
    "administration:index": ({}, GET, ADMINS),
    "administration:history": ({}, GET, ADMINS),
    # People (issue 16, Users): the list for every administrator; a user of the LA for the LA's
    # administrator only (a provider's or ICB's administrator, or theirs, gets 404 on it).
    "administration:people": ({}, GET, ADMINS),
    "administration:person": ({"pk": "la_person"}, BOTH, LA_ADMIN),
    "administration:person_deactivate": ({"pk": "la_person"}, BOTH, LA_ADMIN),
    "administration:person_reactivate": ({"pk": "la_person"}, BOTH, LA_ADMIN),
    "administration:person_invite": ({}, BOTH, ADMINS),
    "administration:person_invite_again": ({"pk": "la_invited"}, POST, LA_ADMIN),
    # A provider's teams, heads of service (named by a team they cover), SPOC mailbox and director.
    "administration:teams": ({}, GET, PROVIDER_ADMIN),
    "administration:team_add": ({}, BOTH, PROVIDER_ADMIN),
    "administration:team_change": ({"pk": "team"}, BOTH, PROVIDER_ADMIN),
    "administration:team_status": ({"pk": "team"}, BOTH, PROVIDER_ADMIN),
    "administration:heads": ({}, GET, PROVIDER_ADMIN),
    "administration:head_add": ({}, BOTH, PROVIDER_ADMIN),
    "administration:head_change": ({"pk": "team"}, BOTH, PROVIDER_ADMIN),
    "administration:contacts": ({}, BOTH, PROVIDER_ADMIN),
    # An ICB's councils and each one's DCO/DMO office mailbox (another area's council is a 404);
    # the council's own administrator reads its mailbox.
    "administration:area": ({}, GET, ICB_ADMIN),
    "administration:area_dco_office": ({"pk": "la"}, BOTH, ICB_ADMIN),
    "administration:la_dco_office": ({}, GET, LA_ADMIN),
    # The platform's superusers only (tests/administration/test_onboard_page.py): nobody here.
    "administration:onboard": ({}, BOTH, set()),
    "administration:recipients": ({}, BOTH, LA_ADMIN),
    "administration:timings": ({}, BOTH, LA_ADMIN),
    "administration:closures": ({}, BOTH, LA_ADMIN),
    "administration:closure_remove": ({"pk": "closure_day"}, BOTH, LA_ADMIN),
    "administration:provision_types": ({}, BOTH, LA_ADMIN),
    "administration:provision_type_change": ({"pk": "provision_type"}, BOTH, LA_ADMIN),
    "reports:commissioning": ({}, GET, COMMISSIONING),
    "reports:commissioning_rows": ({}, GET, COMMISSIONING),
    # The LA's letterhead and signature images (letter wording): the LA's administrator only; each
    # address serves or changes the administrator's own LA's image, so there is no other one to ask for.
    "administration:letterhead": ({}, BOTH, LA_ADMIN),
    "administration:letterhead_logo": ({}, BOTH, LA_ADMIN),
    "administration:letterhead_signature": ({}, BOTH, LA_ADMIN),
    "administration:letterhead_preview": ({}, GET, LA_ADMIN),
    # The wording of the LA's letters and emails: one address per text, and its earlier versions.
    # The caseload import (decision 0033): the LA's administrator only; an upload is its own council's.
    "administration:caseload_import": ({}, BOTH, LA_ADMIN),
    "administration:caseload_template_xlsx": ({}, GET, LA_ADMIN),
    "administration:caseload_template_csv": ({}, GET, LA_ADMIN),
    "administration:caseload_upload": ({"pk": "caseload_upload"}, BOTH, LA_ADMIN),
    "administration:wording": ({}, GET, LA_ADMIN),
    "administration:wording_version": ({"pk": "wording_version"}, GET, LA_ADMIN),
    **{f"administration:wording_{kind}": ({}, BOTH, LA_ADMIN) for kind in WordingKind.values},
    **{f"administration:wording_{kind}_preview": ({}, POST, LA_ADMIN) for kind in WordingKind.values},
    # The organisation's API clients (docs/decisions/0029-json-api.md): every administrator has the list and
    # may create one; a client is its own organisation's (the LA's here). The API itself: test_api_matrix.py.
    "api:clients": ({}, GET, ADMINS),
    "api:client_add": ({}, BOTH, ADMINS),
    "api:client_revoke": ({"pk": "api_client"}, BOTH, LA_ADMIN),
    # Annual reviews (issue 21): the LA's work lists; a review's page for the LA's own people, its steps
    # recorded by its editors (reviews.access); a partner council's officer holding a share gets neither.
    "reviews:work_list": ({}, GET, LA3 | SHARED),
    # The annual reviews report, as the other reports; the LA's review settings, as its timings.
    "reports:reviews": ({}, GET, REPORTS),
    # Health's reports for reviews by provider, as the dashboard.
    "reports:review_health": ({}, GET, DASHBOARD),
    "administration:review_timings": ({}, BOTH, LA_ADMIN),
    "reviews:detail": ({"pk": "review"}, GET, LA3),
    **{
        f"reviews:{step}": ({"pk": "review"}, BOTH, LA_EDITORS)
        for step in (
            *("meeting", "early", "held", "report", "decision", "amended_plan", "moved_away"),
            # Health's side: the invitations and requests for advice, the meeting moved after them.
            *("invitations", "meeting_move"),
        )
    },
}

# The dashboard and reports' addresses under /escalation/ before they moved (decision 0015): old name
# -> new name. The same permanent redirect for everyone, signed in or not, query string kept; the new
# address is the one in URLS that checks who may see the page.
MOVED = {
    "reports_moved:dashboard": "reports:dashboard",
    "reports_moved:items": "reports:items",
    "reports_moved:items_csv": "reports:items_csv",
    "reports_moved:index": "reports:index",
    "reports_moved:audit": "reports:audit",
    "reports_moved:monthly": "reports:monthly",
    "reports_moved:timeliness": "reports:timeliness",
}

# Open to anyone (sign-in, two-factor, password reset, public pages): tested in test_mfa and
# test_sessions; here only "never a server error" for an anonymous visitor.
PUBLIC = {
    "login": {},
    "logout": {},
    "mfa_setup": {},
    "mfa_verify": {},
    "mfa_backup_codes": {},
    "password_reset": {},
    "password_reset_done": {},
    "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    "password_reset_complete": {},
    # An invitation's link (issue 16): a bad token gets the same page as a used or expired one.
    "invitation_accept": {"token": "not-a-token-anyone-was-sent"},
    "accessibility": {},
    # Single sign-on (issue 18): the email step (POST only: a GET is 405) and the provider's answer,
    # which without a sign-in under way is refused with a page (tests/ehc/test_sso.py).
    "sso_start": {},
    "sso_callback": {},
    "healthz": {},
    # Readiness (ehc.health): 200 or 503 with check names only; tested in tests/ehc/test_health.py.
    "readyz": {},
    # GOV.UK Notify's delivery receipts: POST with its bearer token only (tests/ehc/test_notify.py);
    # a GET is refused (405).
    "notify_callback": {},
    "admin_sign_in": {},
    # The API's OpenAPI schema and its docs page: they describe the API and hold no data.
    "api:schema": {},
    "api:docs": {},
}

ROLES = [
    "case_officer",
    "business_support",
    "ad",
    "spoc",
    "slt_practitioner",
    "ot_practitioner",
    "head_of_service",
    "dco",
]
# Made by the matrix on each side: role -> (the world's organisation, roles held).
EXTRA_ROLES = {
    "send_manager": ("la", [Role.SEND_MANAGER]),
    "la_admin": ("la", [Role.ADMINISTRATOR]),
    "la_norole": ("la", []),
    "provider_admin": ("provider", [Role.ADMINISTRATOR]),
    "provider_norole": ("provider", []),
    "icb_admin": ("icb", [Role.ADMINISTRATOR]),
    "icb_norole": ("icb", []),
    "letters_only": ("provider", [Role.LETTERS_ONLY]),
    "icb_commissioner": ("icb", [Role.COMMISSIONER]),
    "la_commissioner": ("la", [Role.COMMISSIONER]),
}
MISSING = 10**9
D = datetime.date


def _names(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>"


def test_every_url_is_classified():
    names = {name for name in _names(get_resolver().url_patterns) if not name.startswith("admin:")}
    names -= {name for name in names if "static" in name}
    from .test_api_matrix import API_URLS  # the API's endpoints, called with a key, not a session

    unclassified = names - set(URLS) - set(PUBLIC) - set(MOVED) - set(API_URLS)
    assert not unclassified, f"classify these URLs in tests/security/test_access_matrix.py: {sorted(unclassified)}"
    classified = set(URLS) | set(PUBLIC) | set(MOVED) | set(API_URLS)
    assert not classified - names, "the table names URLs that no longer exist"
    assert set(MOVED.values()) <= set(URLS), "a moved address must lead to a URL the matrix checks"


def _objects(world, today):
    """A case with advice asked of SLT and OT (SLT returned with a PDF, OT outstanding), a case at
    draft plan, and an escalated request with its letter."""
    case = CaseFactory(
        local_authority=world.la,
        case_officer=world.case_officer,
        status=CaseStatus.ASSESSING,
        decided_to_assess=True,
        received_on=D(2026, 9, 1),
        decision_on=D(2026, 9, 10),
    )
    request = advice_request_send(
        case=case, provider=world.provider, services_named=[Service.SLT, Service.OT], user=world.case_officer
    )
    items = {item.team_id: item for item in request.items.all()}
    document = SimpleUploadedFile("advice.pdf", pdf_bytes(), content_type="application/pdf")
    content = {"description_of_needs": "N", "provision_required": "P", "outcomes": "O"}
    advice_return(
        item=items[world.slt.pk],
        user=world.slt_practitioner,
        returned_on=today,
        content=content,
        document=document,
        checked=check_upload(document),
    )
    attached = SimpleUploadedFile("notes.pdf", pdf_bytes("Notes"), content_type="application/pdf")
    message = discussion_message_post(
        case=case, user=world.slt_practitioner, text="Notes attached", uploads=[(attached, check_upload(attached))]
    )
    draft_case = CaseFactory(
        local_authority=world.la,
        case_officer=world.case_officer,
        status=CaseStatus.ASSESSING,
        decided_to_assess=True,
        received_on=D(2026, 9, 1),
        decision_on=D(2026, 9, 10),
    )
    draft_request = advice_request_send(
        case=draft_case, provider=world.provider, services_named=[Service.SLT], user=world.case_officer
    )
    advice_return(item=draft_request.items.get(), user=world.slt_practitioner, returned_on=today, content=content)
    draft_plan_record(case=draft_case, user=world.case_officer, sent_on=today, section_c="C", section_g="G")
    # An exception that ended before the advice was asked: it moves no date of the case's advice.
    exception = exception_record(
        case=case,
        user=world.case_officer,
        reason=ExceptionReason.MISSED_APPOINTMENT,
        detail="Missed the assessment",
        agreed_by="SEND manager",
        starts_on=D(2026, 9, 2),
        ends_on=D(2026, 9, 5),
    )
    escalated = make_request(world, notified_on=D(2026, 11, 20))
    # Long after the dates the matrix's sweeps run on: it moves none of them.
    closure_day = ClosureDay.objects.create(local_authority=world.la, date=D(2030, 6, 12), reason="Training day")
    provision_types_seed(world.la)
    provision_type = ProvisionType.objects.filter(local_authority=world.la).first()
    notification = Notification.objects.create(
        kind=MessageKind.ESCALATION_1_RESPONSE,
        event=f"matrix:{case.pk}",
        user=world.case_officer,
        case=case,
        reference=case.reference,
        path=f"/cases/{case.pk}/",
        headline="The DCO/DMO office has responded to escalation 1",
    )
    saved_filter = SavedFilter.objects.create(
        user=world.case_officer, page="assessments:caseload", name=f"Matrix {case.pk}", query="rag=red"
    )
    caseload_upload = CaseloadUpload.objects.create(
        local_authority=world.la, uploaded_by=world.case_officer, filename="caseload.csv", content=b"x", sha256="0",
        status=UploadStatus.HAS_ERRORS, report={"rows": 1, "errors": [[2, "NHS number", "Enter a valid NHS number"]]},
    )
    # An issued plan with its open review (the matrix's empty POSTs get each step's form errors).
    plan_case = CaseFactory(
        local_authority=world.la,
        case_officer=world.case_officer,
        status=CaseStatus.PLAN_ISSUED,
        received_on=D(2026, 1, 5),
        final_plan_issued_on=D(2026, 5, 20),
        closed_on=D(2026, 5, 20),
    )
    review = AnnualReview.objects.create(
        case=plan_case,
        local_authority=world.la,
        anchor_on=D(2026, 5, 20),
        due_on=D(2027, 5, 20),
        recorded_by=world.case_officer,
    )
    return {
        "review": review,
        "saved_filter": saved_filter,
        "caseload_upload": caseload_upload,
        "notification": notification,
        "team": world.slt,
        "la": world.la,
        "case": case,
        "exception": exception,
        "discussion_attachment": message.attachments.get(),
        "request": request,
        "returned_item": items[world.slt.pk],
        "returned_advice": AdviceReturn.objects.get(item=items[world.slt.pk]),
        # A document's number in its return: the URL takes it where other URLs take a row's key.
        "first_document": SimpleNamespace(pk=1),
        "open_item": items[world.ot.pk],
        "draft_case": draft_case,
        "escalated_request": escalated,
        "closure_day": closure_day,
        "provision_type": provision_type,
    }


FINGERPRINTED = (
    Case,
    AdviceRequest,
    AdviceItem,
    AdviceReturn,
    DraftPlan,
    DraftComment,
    Escalation,
    OutboundEmail,
    CaseShare,
    CaseMessage,
    MessageAttachment,
    MessageMention,
    DiscussionReceipt,
    TimelineException,
    AnnualReview,
    Team,
    Organisation,
    LocalAuthoritySettings,
    ApiClient,
    ProvisionType,
)


def _fingerprint(models=FINGERPRINTED):
    digest = hashlib.sha256()
    for model in models:
        digest.update(repr(list(model.objects.order_by("pk").values())).encode())
    digest.update(repr(list(Letter.objects.order_by("pk").values_list("pk", "sha256", "rendered_at"))).encode())
    return digest.hexdigest()


def _normalise(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode(errors="replace"))


def objects_for(sides):
    """`_objects` for each side, then chased on 4 January and escalation 1 with its letter on
    15 January (the letter snapshot is all the matrix needs; the dates only drive the sweep)."""
    today = timezone.localdate()
    objects = {side: _objects(world, today) for side, world in sides.items()}
    for side, world in sides.items():
        objects[side]["awaiting_request"] = make_request(world, notified_on=D(2026, 11, 27))
    sweep(D(2027, 1, 4))
    sweep(D(2027, 1, 15))
    for side, world in sides.items():
        # Each LA's letterhead images, which its administrator's image addresses serve.
        la_settings = LocalAuthoritySettings.for_la(world.la)
        la_settings.letterhead_logo.save("logo.png", ContentFile(png_bytes()), save=False)
        la_settings.ad_education_signature.save("signature.png", ContentFile(png_bytes()), save=False)
        la_settings.save()
        objects[side]["wording_version"] = WordingVersion.objects.create(
            local_authority=world.la, kind=WordingKind.CHASE_EMAIL, number=1, text=DEFAULTS["chase_email"],
            created_by=world.case_officer,
        )
    # From here both councils' letters wait for the AD Education's approval.
    LocalAuthoritySettings.objects.update(letters_need_ad_approval=True)
    sweep(D(2027, 1, 22))
    for found in objects.values():
        found["awaiting_letter"] = Letter.objects.get(escalation__request=found.pop("awaiting_request"))
        escalation = Escalation.objects.get(request=found.pop("escalated_request"), stage=EscalationStage.ESCALATION_1)
        letter = letter_render(letter_id=Letter.objects.get(escalation=escalation).pk)
        found["escalation"] = escalation
        found["letter"] = letter
        found["escalated_item"] = escalation.request.items.get()
    return objects


def _more_people(sides, objects):
    """The accounts of EXTRA_ROLES on each side; a partner council of ours whose case officers hold
    a current, an expired and a revoked share of our case; each side's case shared with a partner
    (the share the revoke URL names); and each side's provider serving the other's council too."""
    for side, world in sides.items():
        for role, (org, roles) in EXTRA_ROLES.items():
            setattr(world, role, UserFactory(username=f"{role}-{side}", organisation=getattr(world, org), roles=roles))
        # A user of the side's LA whom no client signs in as, for the people pages to change.
        objects[side]["la_person"] = UserFactory(
            username=f"la-person-{side}", organisation=world.la, roles=[Role.CASE_OFFICER]
        )
        # And one invited who has not set a password yet, for a new link to be sent to.
        invited = UserFactory(username=f"la-invited-{side}", organisation=world.la, roles=[Role.CASE_OFFICER])
        invited.set_unusable_password()
        invited.save(update_fields=["password"])
        objects[side]["la_invited"] = invited
        # The director the side's letters are addressed to.
        world.letters_only.email = world.provider.director_email
        world.letters_only.save(update_fields=["email"])
    ours, theirs = sides["ours"], sides["theirs"]
    ours.provider.served_las.add(theirs.la)
    theirs.provider.served_las.add(ours.la)
    partner = LocalAuthorityFactory(name="Council Partner", short_name="LA-Partner", icb=theirs.icb)
    shared_by = {}
    for side, world in sides.items():
        LocalAuthoritySettings.for_la(world.la).partners.add(partner)
        holder = UserFactory(username=f"partner-of-{side}", organisation=partner, roles=[Role.BUSINESS_SUPPORT])
        objects[side]["share"] = case_share(case=objects[side]["case"], user=world.case_officer, with_user=holder)
    for kind in ("current", "expired", "revoked"):
        user = UserFactory(username=f"shared-{kind}", organisation=partner, roles=[Role.CASE_OFFICER])
        share = case_share(case=objects["ours"]["case"], user=ours.case_officer, with_user=user)
        if kind == "expired":
            CaseShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        if kind == "revoked":
            case_share_revoke(share=share, user=ours.case_officer)
        shared_by[f"shared_{kind}"] = user
    for side, world in sides.items():
        # Each LA's API client, made by its administrator, for the revoke page.
        objects[side]["api_client"] = api_client_for(world.la, Role.BUSINESS_SUPPORT)[0]
    return shared_by


@pytest.mark.django_db
def test_the_access_matrix(ours, theirs):
    sides = {"ours": ours, "theirs": theirs}
    objects = objects_for(sides)
    shared = _more_people(sides, objects)
    roles_of = {"ours": [*ROLES, *EXTRA_ROLES, *SHARED], "theirs": [*ROLES, *EXTRA_ROLES]}

    deactivated = UserFactory(username="officer-gone", organisation=ours.la, roles=[Role.CASE_OFFICER], is_active=True)
    gone = verified_login(Client(), deactivated)
    deactivated.is_active = False
    deactivated.save()
    clients = {
        (side, role): verified_login(Client(), shared[role] if role in SHARED else getattr(world, role))
        for side, world in sides.items()
        for role in roles_of[side]
    }
    clients[("ours", "anonymous")] = Client()
    clients[("ours", "deactivated")] = gone
    for client in clients.values():
        client.raise_request_exception = False

    def url(name, params, side):
        kwargs = {key: MISSING if side == "missing" else objects[side][source].pk for key, source in params.items()}
        return reverse(name, kwargs=kwargs)

    sign_in = reverse("login")
    failures, cases = [], 0
    denied, allowed = [], []
    for name, (params, methods, roles) in URLS.items():
        for (side, role), client in clients.items():
            for method in methods:
                if role in ("anonymous", "deactivated"):
                    targets = ("ours",)
                elif side == "theirs":
                    # Their side mirrors ours (ours on their objects is checked in full): here only
                    # their roles that have the page, as outsiders on our objects, with GET.
                    if not params or method != "GET" or role not in roles:
                        continue
                    targets = ("ours", "missing")
                elif not params:
                    targets = ("ours",)
                else:
                    # A refused POST is compared with the GET of a missing object: one 404 page.
                    only_post = "GET" not in methods
                    targets = ("ours", "theirs", "missing") if method == "GET" or only_post else ("ours", "theirs")
                for target in targets:
                    entry = (name, params, method, side, role, client, target)
                    own = target == side
                    is_allowed = own and role in roles
                    (allowed if is_allowed else denied).append(entry)

    def request(client, method, path):
        return client.get(path) if method == "GET" else client.post(path, {})

    before = _fingerprint()
    bodies = {}
    for name, params, method, side, role, client, target in denied:
        cases += 1
        path = url(name, params, target)
        response = request(client, method, path)
        where = f"{method} {name} as {side} {role} on {target}"
        if role in ("anonymous", "deactivated"):
            if response.status_code != 302 or not response.headers.get("Location", "").startswith(sign_in):
                failures.append(f"{where}: {response.status_code}, not sent to sign in")
            continue
        if response.status_code != 404:
            failures.append(f"{where}: {response.status_code}, expected 404")
            continue
        if params:
            bodies[(name, method, side, role, target)] = _normalise(response.content)
    for (name, method, side, role, target), body in bodies.items():
        if target not in ("missing", side) and body != bodies.get(
            (name, "GET" if "GET" in URLS[name][1] else method, side, role, "missing")
        ):
            failures.append(
                f"{method} {name} as {side} {role}: another organisation's object differs from a missing one"
            )
    if _fingerprint() != before:
        failures.append("a refused request changed the database")

    for name, params, method, side, role, client, target in allowed:
        cases += 1
        response = request(client, method, url(name, params, target))
        ok = {200, 302} if method == "GET" else {200, 302, 400}
        location = response.headers.get("Location", "")
        if response.status_code not in ok or location.startswith((sign_in, reverse("mfa_verify"))):
            failures.append(f"{method} {name} as {side} {role} on {target}: {response.status_code} {location}")

    # The old addresses: a redirect, never the page itself, for every client alike.
    for name, new_name in MOVED.items():
        for (side, role), client in clients.items():
            cases += 1
            response = client.get(reverse(name), {"la": "1"})
            expected = f"{reverse(new_name)}?la=1"
            if response.status_code != 301 or response.headers.get("Location") != expected:
                failures.append(f"GET {name} as {side} {role}: {response.status_code}, not moved to {expected}")

    # The admin: no page for any of them (the platform's superusers only: test_admin_scope.py).
    for (side, role), client in clients.items():
        cases += 1
        response = client.get(reverse("admin:index"))
        if response.status_code not in (302, 404) or (
            response.status_code == 302 and not response.headers["Location"].startswith((sign_in, "/admin/login/"))
        ):
            failures.append(f"admin index as {side} {role}: {response.status_code}")

    anonymous = Client(raise_request_exception=False)
    for name, kwargs in PUBLIC.items():
        cases += 1
        response = anonymous.get(reverse(name, kwargs=kwargs))
        # /readyz answers 503, by design, while no Celery worker or beat runs (as here).
        server_error = response.status_code >= 500 and not (name == "readyz" and response.status_code == 503)
        if server_error or response.status_code == 404 and name != "password_reset_confirm":
            failures.append(f"public {name}: {response.status_code}")

    figures.reports["access matrix"] = f"access matrix: {cases} cases, {len(failures)} failures"
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:200])
