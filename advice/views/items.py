"""One team's advice item: its page, returning advice, not provided, an exception, the document."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from assessments.access import can_edit_case
from ehc.access import can_return_for_team, get_visible_or_404, is_team_lead
from ehc.audit import audit_record, audit_view
from ehc.models import AuditAction, Role
from ehc.text import possessive

from .. import selectors, services
from ..access import advice_items_for
from ..forms import AmendForm, ExceptionForm, NotProvidedForm, ReturnForm
from ..models import AdviceReturn, ItemStatus
from ..provision import rows_initial
from ..quality.selectors import current_return_unchecked
from ..uploads import CONTENT_TYPES
from .common import _apply_error, _item_or_404


@login_required
@require_GET
def item_detail(request, pk):
    item = _item_or_404(request, pk)
    audit_view(request, item.case, f"{possessive(item.team.name)} health advice")
    can_return = item.is_outstanding and can_return_for_team(request.user, item.team)
    return render(
        request,
        "advice/item_detail.html",
        {
            "item": item,
            "case": item.case,
            "today": timezone.localdate(),
            "can_return": can_return,
            "draft": selectors.return_draft_for(user=request.user, item=item),
            "is_lead": is_team_lead(request.user, item.team),
            "can_amend": item.status == ItemStatus.RETURNED and can_return_for_team(request.user, item.team),
            "superseded": selectors.superseded_returns(item=item),
            "quality_checks": list(item.quality_checks.select_related("decided_by", "advice_return")),
            "can_check": can_edit_case(request.user, item.case) and current_return_unchecked(item) is not None,
            "can_close": item.is_outstanding and (can_return or selectors.may_answer_for_la(request.user, item)),
            # Stopping the team's clock is the LA's exception on the case (escalation.exception_views).
            "can_stop_clock": item.is_outstanding
            and request.user.organisation_id == item.local_authority_id
            and request.user.has_role(Role.CASE_OFFICER, Role.BUSINESS_SUPPORT),
        },
    )


def _item_action(request, pk, *, form_class, template, title, may_act, apply, success, files=False):
    item = _item_or_404(request, pk)
    if not may_act(item):
        raise Http404
    if not item.is_outstanding:
        messages.info(request, f"{possessive(item.team.name)} advice is already {item.get_status_display().lower()}")
        return redirect("advice:item_detail", pk=item.pk)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, request.FILES if files and data is not None else None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            apply(item, form)
        except services.AdviceError as error:
            _apply_error(form, error)
        else:
            messages.success(request, success)
            return redirect("advice:item_detail", pk=item.pk)
    return render(request, template, {"form": form, "item": item, "case": item.case, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def item_return(request, pk):
    """Return the advice, or save it as the team's draft to finish later (the "action" button)."""
    item = _item_or_404(request, pk)
    if not can_return_for_team(request.user, item.team):
        raise Http404
    if not item.is_outstanding:
        messages.info(request, f"{possessive(item.team.name)} advice is already {item.get_status_display().lower()}")
        return redirect("advice:item_detail", pk=item.pk)
    if _waiting_for_sign_off(request, item):
        return redirect("advice:item_detail", pk=item.pk)
    saving_draft = request.method == "POST" and request.POST.get("action") == "draft"
    for_sign_off = request.method == "POST" and request.POST.get("action") == "sign_off"
    if request.method == "POST":
        form = ReturnForm(request.POST, request.FILES, item=item, draft=saving_draft)
    else:
        form = ReturnForm(initial=selectors.return_draft_initial(item=item), item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if saving_draft:
                services.return_draft_save(
                    item=item,
                    user=request.user,
                    content=form.content(),
                    returned_on=data.get("returned_on"),
                    revision=data.get("draft_revision"),
                )
            elif for_sign_off:
                services.return_send_for_sign_off(
                    item=item,
                    user=request.user,
                    returned_on=data["returned_on"],
                    content=form.content(),
                    uploads=form.uploads(),
                    revision=data.get("draft_revision"),
                )
            else:
                services.advice_return(
                    item=item,
                    user=request.user,
                    returned_on=data["returned_on"],
                    content=form.content(),
                    uploads=form.uploads(),
                    draft_revision=data.get("draft_revision"),
                )
        except services.AdviceError as error:
            _apply_error(form, error)
        else:
            if saving_draft:
                done = "Draft saved: it is not returned yet. Anyone in the team who may return the advice can finish it"
            elif for_sign_off:
                done = SENT_FOR_SIGN_OFF
            else:
                done = "Advice returned: the local authority has been told"
            messages.success(request, done)
            return redirect("advice:item_detail", pk=item.pk)
    return render(
        request,
        "advice/return_form.html",
        {
            "form": form,
            "item": item,
            "case": item.case,
            "title": "Return health advice",
            "draft": selectors.return_draft_for(user=request.user, item=item),
        },
    )


SENT_FOR_SIGN_OFF = "Sent for sign-off: a team lead will sign it off or send it back. It is not returned yet"


def _waiting_for_sign_off(request, item) -> bool:
    """A return waiting for a team lead is not changed meanwhile (decision 0036): say so instead."""
    draft = selectors.return_draft_for(user=request.user, item=item)
    if draft is None or not draft.awaiting_sign_off:
        return False
    messages.info(request, "This advice is waiting for a team lead's sign-off: it cannot be changed until then")
    return True


@login_required
@require_http_methods(["GET", "POST"])
def item_amend(request, pk):
    """A new version of returned advice, with the reason; the earlier one stays, marked superseded."""
    item = _item_or_404(request, pk)
    if not can_return_for_team(request.user, item.team):
        raise Http404
    if item.status != ItemStatus.RETURNED:
        status = item.get_status_display().lower()
        messages.info(request, f"{possessive(item.team.name)} advice is {status}: nothing to amend")
        return redirect("advice:item_detail", pk=item.pk)
    if _waiting_for_sign_off(request, item):
        return redirect("advice:item_detail", pk=item.pk)
    current = item.advice_return
    # A new version sent back by a team lead opens as it was sent; otherwise on the version in force.
    draft = selectors.return_draft_for(user=request.user, item=item)
    start = draft if draft is not None and draft.amendment_reason else current
    if request.method == "POST":
        form = AmendForm(request.POST, request.FILES, item=item)
    else:
        initial = {name: getattr(start, name) for name in AmendForm.CONTENT_FIELDS} | rows_initial(start)
        form = AmendForm(initial={**initial, "reason": start.amendment_reason if start is draft else ""}, item=item)
    needs_sign_off = item.team.returns_need_sign_off
    if request.method == "POST" and form.is_valid():
        arguments = {
            "item": item,
            "user": request.user,
            "reason": form.cleaned_data["reason"],
            "content": form.content(),
            "uploads": form.uploads(),
        }
        try:
            if needs_sign_off:
                services.return_send_for_sign_off(**arguments)
            else:
                services.advice_return_amend(**arguments)
        except services.AdviceError as error:
            _apply_error(form, error)
        else:
            amended = "Advice amended: the earlier version is kept, marked superseded"
            messages.success(request, SENT_FOR_SIGN_OFF if needs_sign_off else amended)
            return redirect("advice:item_detail", pk=item.pk)
    return render(
        request,
        "advice/return_form.html",
        {
            "form": form,
            "item": item,
            "case": item.case,
            "title": "Amend the health advice",
            "amending": current,
            "draft": draft,
        },
    )


def _may_close(request):
    return lambda item: can_return_for_team(request.user, item.team) or selectors.may_answer_for_la(request.user, item)


@login_required
@require_http_methods(["GET", "POST"])
def item_not_provided(request, pk):
    def apply(item, form):
        services.advice_not_provided(item=item, user=request.user, **form.cleaned_data)

    return _item_action(
        request,
        pk,
        form_class=NotProvidedForm,
        template="advice/item_form.html",
        title="Advice will not be provided",
        may_act=_may_close(request),
        apply=apply,
        success="Recorded that the advice will not be provided",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_exception(request, pk):
    def apply(item, form):
        services.advice_exception_record(item=item, user=request.user, **form.cleaned_data)

    return _item_action(
        request,
        pk,
        form_class=ExceptionForm,
        template="advice/item_form.html",
        title="Exception under regulation 8(2)",
        may_act=_may_close(request),
        apply=apply,
        success="Exception recorded: the advice stays outstanding, marked as excepted",
    )


@login_required
@require_GET
def document_download(request, pk):
    """The return's first document (the address every return had before several were allowed)."""
    item = _item_or_404(request, pk)
    try:
        advice_return = item.advice_return
    except AdviceReturn.DoesNotExist:
        raise Http404 from None
    return _serve(request, item, advice_return)


@login_required
@require_GET
def return_document(request, pk, number):
    """Any document of a return the user may see, by its number (1 is the return's own)."""
    visible = advice_items_for(request.user)
    advice_return = get_visible_or_404(
        # Superseded versions too: the advice as it was stays readable by whoever may read it now.
        AdviceReturn.objects.filter(Q(item__in=visible) | Q(superseded_item__in=visible)).select_related(
            "item__team", "item__case", "superseded_item__team", "superseded_item__case"
        ),
        request,
        pk=pk,
    )
    document = next((doc for doc in advice_return.documents() if doc.number == number), None)
    if document is None:
        raise Http404
    return _serve(request, advice_return.advice_item, document)


def _serve(request, item, document):
    if not document.document_name or document.document_type not in CONTENT_TYPES:
        raise Http404
    label = "advice document" if document.number == 1 else f"advice document {document.number}"
    if not document.document_available:
        # Withheld from everyone until the virus scanner says it is clean (advice.scanning).
        messages.info(request, f"{possessive(item.team.name)} {label}: {document.get_scan_status_display()}")
        return redirect("advice:item_detail", pk=item.pk)
    try:
        handle = document.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        request=request,
        action=AuditAction.DOWNLOAD,
        case=item.case,
        obj=item,
        summary=f"Downloaded {possessive(item.team.name)} {label}",
    )
    # The name sent is ours, never the uploader's: nothing they typed reaches a header.
    suffix = "" if document.number == 1 else f"-{document.number}"
    filename = f"{item.case.reference}-{slugify(item.team.name) or 'advice'}{suffix}.{document.document_type}"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[document.document_type]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
