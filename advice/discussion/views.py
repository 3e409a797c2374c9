"""The case discussion's pages: the thread with its message form, and an attachment's download.
Only the professionals on the case reach either (advice.discussion.access); anyone else, and any
other case, gets the 404 a missing case gets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ehc.access import get_visible_or_404, works_on_cases
from ehc.audit import audit_record, audit_view
from ehc.models import AuditAction

from ..uploads import CONTENT_TYPES
from . import selectors, services
from .access import discussion_cases
from .forms import MessageForm
from .models import MessageAttachment


def _before(request):
    value = request.GET.get("before", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@login_required
@require_http_methods(["GET", "POST"])
def discussion(request, case_pk):
    case = get_visible_or_404(
        discussion_cases(request.user).select_related("child", "local_authority"), request, pk=case_pk
    )
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                message = services.discussion_message_post(
                    case=case, user=request.user, text=form.cleaned_data["text"], uploads=form.uploads()
                )
            except services.DiscussionError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, "Message posted")
                return redirect(reverse("advice:discussion", args=[case.pk]) + f"#message-{message.pk}")
    else:
        form = MessageForm()
    before = _before(request)
    page = selectors.discussion_page(case=case, user=request.user, before=before)
    audit_view(request, case, "the case discussion")
    if page.messages:
        services.discussion_read(case_id=case.pk, user=request.user, up_to_id=page.messages[-1].pk)
    return render(
        request,
        "advice/discussion.html",
        {
            "case": case,
            "form": form,
            "page": page,
            "before": before,
            "title": "Case discussion",
            # Files are never kept between tries: say so beside the field when the form comes back.
            "files_chosen": request.method == "POST" and bool(request.FILES),
        },
    )


# The most rows the list shows: the newest first, the rest reached from their cases.
DISCUSSIONS_SHOWN = 50


@login_required
@require_GET
def discussions(request):
    """The user's case discussions with messages they have not read (the home page counts these)."""
    if not works_on_cases(request.user):
        raise Http404
    rows = list(selectors.unread_discussions(request.user)[: DISCUSSIONS_SHOWN + 1])
    return render(
        request,
        "advice/discussions.html",
        {
            "cases": rows[:DISCUSSIONS_SHOWN],
            "more": len(rows) > DISCUSSIONS_SHOWN,
            "shown": DISCUSSIONS_SHOWN,
            "title": "Case discussions with unread messages",
        },
    )


@login_required
@require_GET
def discussion_attachment(request, case_pk, pk):
    attachment = get_visible_or_404(
        MessageAttachment.objects.filter(message__case__in=discussion_cases(request.user)).select_related(
            "message__case"
        ),
        request,
        pk=pk,
        message__case_id=case_pk,
    )
    if not attachment.document_name or attachment.document_type not in CONTENT_TYPES:
        raise Http404
    message = attachment.message
    if not attachment.document_available:
        # Withheld from everyone until the virus scanner says it is clean (advice.scanning).
        messages.info(request, f"Attachment {attachment.number}: {attachment.get_scan_status_display()}")
        return redirect(services.message_path(message))
    try:
        handle = attachment.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        request=request,
        action=AuditAction.DOWNLOAD,
        case=message.case,
        obj=message,
        summary=f"Downloaded attachment {attachment.number} of discussion message {message.pk}",
    )
    # The name sent is ours, never the uploader's: nothing they typed reaches a header.
    filename = f"{message.case.reference}-message-{message.pk}-{attachment.number}.{attachment.document_type}"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[attachment.document_type]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
