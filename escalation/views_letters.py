"""The escalation letter's own pages: the letter, the AD Education's approval queue, and letters-only
accounts (docs/decisions/0016-letters.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ehc.access import get_visible_or_404
from ehc.audit import audit_view
from ehc.decorators import role_required
from ehc.models import LocalAuthoritySettings, MessageKind, OrganisationKind, OutboundEmail, Role
from ehc.sorting import sorted_queryset

from . import access, approvals, recipients, selectors


@login_required
@require_http_methods(["GET"])
def letter_detail(request, pk):
    """One letter: when it went (or that it waits for approval), to whom and how, and what the user may
    do with it. Seen by whoever may download it."""
    letter = get_visible_or_404(
        access.downloadable_letters(request.user)
        .select_related(
            "escalation__request__case", "escalation__provider", "escalation__local_authority", "approved_by"
        )
        .defer("pdf"),
        request,
        pk=pk,
    )
    user = request.user
    escalation = letter.escalation
    la_side = user.organisation_id == escalation.local_authority_id
    context = {
        "letter": letter,
        "escalation": escalation,
        "case": escalation.request.case,
        "la_side": la_side,
        "letters_only": user.has_role(Role.LETTERS_ONLY) and not user.has_role(*recipients.ACCOUNT_GIVERS),
        "may_approve": approvals.may_approve(user, letter),
    }
    if letter.is_awaiting_approval:
        # The window the DCO/DMO office will have once it is sent: the LA's setting, not a figure here.
        context["timings"] = LocalAuthoritySettings.for_la(escalation.local_authority).timings()
    if la_side:
        account = recipients.account_for(letter)
        context.update(
            emails=list(
                OutboundEmail.objects.filter(
                    advice_request_id=escalation.request_id, kind=MessageKind.ESCALATION_1
                ).order_by("pk")
            ),
            account=account,
            may_give_account=recipients.may_give_account(user, letter) and account is None,
            may_resend=recipients.may_give_account(user, letter) and recipients.may_resend(account),
        )
    audit_view(request, escalation.request.case, what=f"the escalation 1 letter of {letter.dated:%-d %b %Y}")
    return render(request, "escalation/letter_detail.html", context)


@role_required(Role.AD_EDUCATION, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET"])
def approvals_queue(request):
    """Sorted by a column header and keyset-paged, as the other work lists (decision 0038)."""
    sort = selectors.list_sort("approvals", request.GET.get("sort"))
    page = approvals.approvals_page(user=request.user, sort=sort, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "page": page,
        "letters": page.rows,
        # The whole queue's count, beyond this page (the home page counts the same queryset).
        "count": approvals.letters_awaiting_approval(user=request.user).count(),
        "sort": sort,
        "query": query.urlencode(),
    }
    return render(request, "escalation/approvals.html", context)


@role_required(Role.AD_EDUCATION, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["POST"])
def letter_approve(request, pk):
    """One click: approve and send. View -> access -> service (which audits)."""
    letter = get_visible_or_404(
        approvals.letters_awaiting_approval(user=request.user).select_related("escalation__local_authority"),
        request,
        pk=pk,
    )
    try:
        letter = approvals.letter_approve(letter=letter, user=request.user)
    except approvals.ApprovalError as error:
        messages.error(request, str(error))
        return redirect("escalation:letter_detail", pk=letter.pk)
    messages.success(
        request,
        f"Letter for {letter.escalation.request.case.reference} approved and sent, dated {letter.dated:%-d %B %Y}",
    )
    return redirect("escalation:approvals")


@role_required(*recipients.ACCOUNT_GIVERS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["POST"])
def letter_account(request, pk):
    """Give the letter's addressee a letters-only account, or send its set-password link again."""
    letter = get_visible_or_404(
        access.downloadable_letters(request.user).select_related(
            "escalation__request__case", "escalation__provider", "escalation__local_authority"
        ),
        request,
        pk=pk,
    )
    if not recipients.may_give_account(request.user, letter):
        raise Http404
    account = recipients.account_for(letter)
    if account is None:
        try:
            recipients.letters_account_create(letter=letter, user=request.user)
        except recipients.RecipientError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Account created for {letter.addressed_to}: a link to set the password is on its way"
            )
    elif recipients.may_resend(account):
        recipients.set_password_link_send(account=account, letter=letter, user=request.user)
        messages.success(request, f"The link to set the password was sent to {letter.addressed_to} again")
    else:
        messages.info(request, f"{letter.addressed_to} already has an account")
    return redirect("escalation:letter_detail", pk=letter.pk)


@role_required(Role.LETTERS_ONLY, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_http_methods(["GET"])
def my_letters(request):
    """A letters-only account's home: the letters sent to its address, newest first unless sorted."""
    sort = selectors.list_sort("letters", request.GET.get("sort"))
    letters = (
        access.letters_addressed_to(request.user)
        .select_related("escalation__request__case", "escalation__local_authority")
        .defer("pdf")
    )
    return render(
        request, "escalation/my_letters.html", {"letters": list(sorted_queryset(letters, sort)), "sort": sort}
    )
