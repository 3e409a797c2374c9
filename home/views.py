"""The home page: what is each signed-in user's to do today, a section per role they hold
(docs/decisions/0037-home-task-list.md)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ehc.models import Role

from .sections import sections_for


@login_required
@require_GET
def home(request):
    user = request.user
    sections = sections_for(user, today=timezone.localdate())
    if not sections:
        # Two kinds of account have one page and no work list: a provider director's letters-only
        # account (its letters), and the platform operator (onboarding, whose navigation holds the
        # Django admin: the admin's own pages have no link to onboarding).
        if user.has_role(Role.LETTERS_ONLY) and user.is_provider_user:
            return redirect("escalation:my_letters")
        if user.has_role(Role.COMMISSIONER):
            # A commissioner's one page (reports.views_commissioning).
            return redirect("reports:commissioning")
        if user.is_staff and user.is_superuser:
            return redirect("administration:onboard")
        return render(request, "ehc/no_role.html")
    return render(
        request,
        "home/home.html",
        {"sections": sections, "anything_to_do": any(section.tasks_to_do for section in sections)},
    )
