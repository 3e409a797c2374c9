"""People pages: an administrator lists their own organisation's users, changes their roles and teams,
deactivates and reactivates them. Another organisation's user is a 404, exactly like a missing one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ehc.sso import email_domain, sign_on_domains
from ehc.text import possessive

from ..access import administrator_required
from ..invitations import account_state, may_invite_again, person_invite, person_invite_again
from ..people import (
    PeopleError,
    people_listed,
    people_sort,
    person_deactivate,
    person_name,
    person_or_404,
    person_reactivate,
    person_roles_change,
)
from ..people_forms import PersonInviteForm, PersonRolesForm
from ..sections import sections_for


def _context(request, **extra):
    organisation = request.user.organisation
    return {"organisation": organisation, "sections": sections_for(organisation), **extra}


@administrator_required()
def people(request):
    sort = people_sort(request.GET.get("sort"))
    found = list(people_listed(organisation=request.user.organisation, sort=sort))
    sso_domains = sign_on_domains(request.user.organisation_id)
    for each in found:
        each.state = account_state(each, sso_domains=sso_domains)
    return render(request, "administration/people/list.html", _context(request, people=found, sort=sort))


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
                messages.success(request, f"{possessive(person_name(found))} roles are changed")
            return redirect("administration:people")
    sso_domains = sign_on_domains(found.organisation_id)
    found.state = account_state(found, sso_domains=sso_domains)
    context = _context(
        request,
        person=found,
        form=form,
        may_invite_again=may_invite_again(found),
        signs_in_with_organisation=email_domain(found.email or "") in sso_domains,
    )
    return render(request, "administration/people/person.html", context)


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
    found.state = account_state(found, sso_domains=sign_on_domains(found.organisation_id))
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


@administrator_required()
@require_http_methods(["GET", "POST"])
def person_invite_view(request):
    organisation = request.user.organisation
    form = PersonInviteForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = person_invite(
                request=request,
                first_name=data["first_name"].strip(),
                last_name=data["last_name"].strip(),
                email=data["email"],
                job_title=data["job_title"].strip(),
                roles=data["roles"],
                teams=data.get("teams") or [],
            )
        except PeopleError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"{person_name(invited)} is invited: a link to set up the account is on its way")
            return redirect("administration:people")
    return render(request, "administration/people/invite.html", _context(request, form=form))


@administrator_required()
@require_http_methods(["POST"])
def person_invite_again_view(request, pk):
    found = person_or_404(request=request, pk=pk)
    try:
        sent = person_invite_again(request=request, person=found)
    except PeopleError as error:
        messages.error(request, str(error))
    else:
        if sent is None:
            messages.info(request, f"A link went to {found.email} less than a minute ago: it still works")
        else:
            messages.success(request, f"A new link went to {found.email}; the earlier one no longer works")
    return redirect("administration:person", pk=found.pk)
