"""A team lead's sign-off (docs/decisions/0036-team-lead-sign-off.md): the returns waiting for the
lead, one of them read-only with its documents, signed off or sent back with a note. Anyone who is
not a lead of the item's team gets the 404 of an item they cannot see."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from assessments.forms import text_field
from ehc.access import is_team_lead
from ehc.audit import audit_view
from ehc.decorators import role_required
from ehc.models import OrganisationKind, Role
from ehc.text import possessive

from .. import selectors, services
from ..provision import draft_rows
from ..sign_off_queue import awaiting_sign_off
from .common import _apply_error, _item_or_404
from .items import _serve


class SendBackForm(forms.Form):
    note = text_field("What needs to change?", required=True, rows=4, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].error_messages["required"] = "Enter a note saying what needs to change"


@role_required(Role.PRACTITIONER, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_GET
def sign_off_queue(request):
    """Awaiting your sign-off: the returns of the teams the user leads."""
    if not request.user.teams_led.filter(members=request.user).exists():
        raise Http404
    return render(
        request,
        "advice/sign_off_queue.html",
        {"drafts": awaiting_sign_off(user=request.user), "title": "Awaiting your sign-off"},
    )


def _lead_item_or_404(request, pk):
    item = _item_or_404(request, pk)
    if not is_team_lead(request.user, item.team):
        raise Http404
    return item


@login_required
@require_http_methods(["GET", "POST"])
def sign_off_review(request, pk):
    """The waiting return, read-only, with "Sign off and return" and "Send back" (with a note)."""
    item = _lead_item_or_404(request, pk)
    draft = selectors.return_draft_for(user=request.user, item=item)
    if draft is None or not draft.awaiting_sign_off:
        messages.info(request, f"Nothing of {possessive(item.team.name)} advice is waiting for sign-off")
        return redirect("advice:item_detail", pk=item.pk)
    action = request.POST.get("action") if request.method == "POST" else None
    form = SendBackForm(request.POST if action == "send_back" else None)
    refused_sign_off = None
    if action == "sign_off":
        try:
            services.return_sign_off(item=item, user=request.user)
        except services.AdviceError as refused:
            # Shown in the page's error summary; the note form is untouched (nothing was typed there).
            refused_sign_off = refused.message
        else:
            messages.success(request, "Signed off and returned: the local authority has been told")
            return redirect("advice:item_detail", pk=item.pk)
    elif action == "send_back" and form.is_valid():
        try:
            services.return_send_back(item=item, user=request.user, note=form.cleaned_data["note"])
        except services.AdviceError as refused:
            _apply_error(form, refused)
        else:
            messages.success(request, "Sent back: the practitioner has been told by email")
            return redirect("advice:sign_off_queue")
    audit_view(request, item.case, f"{possessive(item.team.name)} health advice awaiting sign-off")
    return render(
        request,
        "advice/sign_off_review.html",
        {
            "item": item,
            "case": item.case,
            "draft": draft,
            "documents": list(draft.documents.all()),
            # The structured provision and outcomes the lead signs off with the text.
            "rows": draft_rows(draft),
            "form": form,
            "refused_sign_off": refused_sign_off,
            "title": "Sign off the health advice",
        },
    )


@login_required
@require_GET
def draft_document(request, pk, number):
    """A document of a return waiting for sign-off: the team's only (those who may return for it and
    its leads), once the virus scanner has passed it."""
    item = _item_or_404(request, pk)
    draft = selectors.return_draft_for(user=request.user, item=item)
    if draft is None or not draft.awaiting_sign_off:
        raise Http404
    document = draft.documents.filter(number=number).first()
    if document is None:
        raise Http404
    return _serve(request, item, document)
