"""The LA administrator's pages for the wording of its letters and emails: the texts with the version
in force, an editor with the placeholders listed and a preview on invented data (the letter as a PDF,
an email as its text), and each earlier version."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ehc import outbox
from escalation.letter_demo import EMAIL_TEMPLATES, demo_email_context, demo_letter_content
from escalation.models import WordingKind, WordingVersion
from escalation.wording import Kind, for_kind, wording_in_force
from escalation.wording.placeholders import EMAILS

from ..access import LA, administrator_required
from ..sections import sections_for
from ..wording import WordingForm, wording_change
from .pdf import pdf_response


@administrator_required(LA)
@require_http_methods(["GET"])
def wording_index(request):
    la = request.user.organisation
    versions = (
        WordingVersion.objects.filter(local_authority=la).select_related("created_by").order_by("kind", "-number")
    )
    by_kind = {}
    for version in versions:
        by_kind.setdefault(version.kind, []).append(version)
    texts = [
        {
            "kind": kind,
            "label": label,
            "versions": by_kind.get(kind, []),
            "url": reverse(f"administration:wording_{kind}"),
        }
        for kind, label in WordingKind.choices
    ]
    return render(
        request,
        "administration/wording_index.html",
        {"organisation": la, "sections": sections_for(la), "texts": texts},
    )


def _edit_page(request, kind, form, *, preview=None, status=200):
    la = request.user.organisation
    in_force = wording_in_force(la_id=la.pk, kind=kind)
    return render(
        request,
        "administration/wording_edit.html",
        {
            "organisation": la,
            "sections": sections_for(la),
            "kind": kind,
            "label": WordingKind(kind).label,
            "is_letter": kind == Kind.ESCALATION_1_LETTER,
            "is_email": kind in EMAILS,
            "in_force": in_force,
            "placeholders": for_kind(kind),
            "form": form,
            "preview": preview,
            "edit_url": reverse(f"administration:wording_{kind}"),
            "preview_url": reverse(f"administration:wording_{kind}_preview"),
        },
        status=status,
    )


@administrator_required(LA)
@require_http_methods(["GET", "POST"])
def wording_edit(request, kind):
    la = request.user.organisation
    if request.method == "GET":
        form = WordingForm(initial={"text": wording_in_force(la_id=la.pk, kind=kind)["text"]}, kind=kind)
        return _edit_page(request, kind, form)
    form = WordingForm(request.POST, kind=kind)
    if not form.is_valid():
        return _edit_page(request, kind, form)
    version = wording_change(request=request, la=la, kind=kind, text=form.cleaned_data["text"])
    label = WordingKind(kind).label
    if version is None:
        messages.success(request, f"Nothing was changed: the {label[0].lower() + label[1:]} keeps its wording")
    else:
        messages.success(request, f"Saved version {version.number} of the {label[0].lower() + label[1:]}")
    return redirect("administration:wording")


@administrator_required(LA)
@require_http_methods(["POST"])
def wording_preview(request, kind):
    """The unsaved text on invented data: the letter as a PDF, an email as its subject and text."""
    la = request.user.organisation
    form = WordingForm(request.POST, kind=kind)
    if not form.is_valid():
        return _edit_page(request, kind, form)
    wording = {"kind": kind, "version": None, "id": None, "text": form.cleaned_data["text"]}
    today = timezone.localdate()
    if kind == Kind.ESCALATION_1_LETTER:
        content = {**demo_letter_content(la=la, today=today), "wording": {"version": None, "text": wording["text"]}}
        return pdf_response(content, filename="letter-preview.pdf")
    context = demo_email_context(kind=kind, la=la, today=today, wording=wording)
    subject, text, _ = outbox.render_email(EMAIL_TEMPLATES[kind], context)
    return _edit_page(request, kind, form, preview={"subject": subject, "text": text})


@administrator_required(LA)
@require_http_methods(["GET"])
def wording_version(request, pk):
    la = request.user.organisation
    version = get_object_or_404(WordingVersion.objects.select_related("created_by"), pk=pk, local_authority=la)
    return render(
        request,
        "administration/wording_version.html",
        {"organisation": la, "sections": sections_for(la), "version": version},
    )
