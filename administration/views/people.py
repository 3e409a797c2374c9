"""People pages: an administrator lists their own organisation's users, changes their roles and teams,
deactivates and reactivates them. Another organisation's user is a 404, exactly like a missing one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..access import administrator_required
from ..people import (
    PeopleError,
    people_for,
    person_deactivate,
    person_name,
    person_or_404,
    person_reactivate,
    person_roles_change,
)
from ..people_forms import PersonRolesForm
from ..sections import sections_for


def _context(request, **extra):
    organisation = request.user.organisation
    return {"organisation": organisation, "sections": sections_for(organisation), **extra}


@administrator_required()
def people(request):
    organisation = request.user.organisation
    return render(
        request,
        "administration/people/list.html",
        _context(request, people=list(people_for(organisation=organisation))),
    )


@administrator_required()
@require_http_methods(["GET", "POST"])
def person(request, pk):
    """One user's details, and their roles and teams to change."""
    found = person_or_404(request=request, pk=pk)
    organisation = request.user.organisation
    initial = {"roles": found.roles, "teams": list(found.teams.all())}
    data = request.POST if request.method == "POST" else None
    form = PersonRolesForm(data, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = person_roles_change(
                request=request,
                person=found,
                roles=form.cleaned_data["roles"],
                teams=form.cleaned_data.get("teams") or [],
            )
        except PeopleError as error:
            form.add_error("roles", str(error))
        else:
            if changed:
                messages.success(request, f"{person_name(found)}'s roles are changed")
            return redirect("administration:people")
    return render(request, "administration/people/person.html", _context(request, person=found, form=form))


def _state_change(request, pk, *, service, template, done):
    found = person_or_404(request=request, pk=pk)
    error = None
    if request.method == "POST":
        try:
            changed = service(request=request, person=found)
        except PeopleError as refused:
            error = str(refused)
        else:
            if changed:
                messages.success(request, done.format(name=person_name(found)))
            return redirect("administration:people")
    return render(request, template, _context(request, person=found, error=error))


@administrator_required()
@require_http_methods(["GET", "POST"])
def person_deactivate_view(request, pk):
    return _state_change(
        request,
        pk,
        service=person_deactivate,
        template="administration/people/deactivate.html",
        done="{name} is deactivated and signed out",
    )


@administrator_required()
@require_http_methods(["GET", "POST"])
def person_reactivate_view(request, pk):
    return _state_change(
        request,
        pk,
        service=person_reactivate,
        template="administration/people/reactivate.html",
        done="{name} can sign in again",
    )
