"""The provider administrator's pages: teams, the SPOC mailbox and director, heads of service.
Every object is fetched within the administrator's own provider: anyone else's is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ehc.models import Team

from ..access import PROVIDER, administrator_required
from ..sections import sections_for
from . import services
from .forms import ContactsForm, HeadOfServiceForm, TeamForm, TeamStatusForm
from .heads import head_of_service_save, head_of_team, heads_of_service


def _page(request, template, **context):
    organisation = request.user.organisation
    return render(
        request,
        f"administration/provider/{template}",
        {"organisation": organisation, "sections": sections_for(organisation), **context},
    )


def _our_team(request, pk):
    return get_object_or_404(Team.objects.select_related("provider"), pk=pk, provider=request.user.organisation)


@administrator_required(PROVIDER)
@require_http_methods(["GET"])
def teams(request):
    rows = Team.objects.filter(provider=request.user.organisation).order_by("-is_active", "name")
    return _page(request, "teams.html", teams=rows)


@administrator_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def team_add(request):
    provider = request.user.organisation
    form = TeamForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(request=request, provider=provider, **form.cleaned_data)
        except services.TeamNameTaken as taken:
            form.add_error("name", str(taken))
        else:
            messages.success(request, f"Added the team {team.name}")
            return redirect("administration:teams")
    return _page(request, "team_form.html", form=form, team=None)


@administrator_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def team_change(request, pk):
    team = _our_team(request, pk)
    form = TeamForm(request.POST or None, provider=team.provider, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_change(request=request, team=team, **form.cleaned_data)
        except services.TeamNameTaken as taken:
            form.add_error("name", str(taken))
        else:
            messages.success(request, f"Saved the team {team.name}")
            return redirect("administration:teams")
    return _page(request, "team_form.html", form=form, team=team)


@administrator_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def team_status(request, pk):
    """Deactivate or reactivate a team, after a page that says what that does."""
    team = _our_team(request, pk)
    form = TeamStatusForm(request.POST or None, initial={"active": "0" if team.is_active else "1"})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_active_set(request=request, team=team, active=form.cleaned_data["active"])
        except services.TeamInUse as in_use:
            form.add_error(None, str(in_use))
        else:
            done = "Reactivated" if form.cleaned_data["active"] else "Deactivated"
            messages.success(request, f"{done} the team {team.name}")
            return redirect("administration:teams")
    owed = services.outstanding_advice_count(team) if team.is_active else 0
    return _page(request, "team_status.html", form=form, team=team, owed=owed)


@administrator_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def contacts(request):
    provider = request.user.organisation
    # A copy: a refused form must not leave its values on the signed-in user's organisation.
    form = ContactsForm(request.POST or None, instance=type(provider).objects.get(pk=provider.pk))
    if request.method == "POST" and form.is_valid():
        changed = services.contacts_change(request=request, provider=provider, data=form.cleaned_data)
        messages.success(request, "Saved the SPOC mailbox and director" if changed else "Nothing was changed")
        return redirect("administration:contacts")
    return _page(request, "contacts.html", form=form)


@administrator_required(PROVIDER)
@require_http_methods(["GET"])
def heads(request):
    found, uncovered = heads_of_service(request.user.organisation)
    return _page(request, "heads.html", heads=found, uncovered=uncovered)


def _head_form(request, head):
    provider = request.user.organisation
    form = HeadOfServiceForm(request.POST or None, provider=provider, head=head)
    if request.method == "POST" and form.is_valid():
        saved = head_of_service_save(request=request, provider=provider, head=head, **form.cleaned_data)
        messages.success(request, f"Saved the head of service {saved.name}")
        return redirect("administration:heads")
    return _page(request, "head_form.html", form=form, head=head)


@administrator_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def head_add(request):
    return _head_form(request, None)


@administrator_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def head_change(request, pk):
    """The head of service covering team `pk` (a head has no row of its own: decision 0025)."""
    head = head_of_team(_our_team(request, pk))
    if head is None:
        raise Http404
    return _head_form(request, head)
