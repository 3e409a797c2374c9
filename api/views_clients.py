"""An organisation's administrator manages its API clients: the list, a new client (its key shown on
the next page once, never again), revoking one. Another organisation's client is a 404 like a missing one."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from administration.access import administrator_required
from administration.sections import sections_for
from ehc.access import get_visible_or_404
from ehc.models import Role
from ehc.text import possessive

from . import keys
from .keys import client_create, roles_for
from .models import ApiClient


class ClientForm(forms.Form):
    name = forms.CharField(
        label="Name of the system",
        help_text="For example, the council's case management system",
        max_length=100,
        error_messages={
            "required": "Enter the name of the system that will use the key",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    role = forms.ChoiceField(
        label="What may it see and do?",
        help_text="The client sees and may do exactly what a person of your organisation with this role may.",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role the system acts with", "invalid_choice": "Select a role"},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, Role(role).label) for role in roles_for(organisation)]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the name of the system that will use the key")
        return name


def _context(request, **extra):
    organisation = request.user.organisation
    return {"organisation": organisation, "sections": sections_for(organisation), **extra}


def _clients_of(organisation):
    return ApiClient.objects.filter(organisation=organisation).select_related("created_by", "revoked_by")


@administrator_required()
def clients(request):
    found = _clients_of(request.user.organisation)
    return render(request, "api/clients.html", _context(request, clients=found))


@administrator_required()
@require_http_methods(["GET", "POST"])
def client_add(request):
    organisation = request.user.organisation
    form = ClientForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        client, key = client_create(
            request=request, organisation=organisation, name=form.cleaned_data["name"], role=form.cleaned_data["role"]
        )
        # Rendered, not redirected: the key is in this one response and nowhere else (only its hash is kept).
        response = render(request, "api/client_created.html", _context(request, client=client, key=key))
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "api/client_add.html", _context(request, form=form))


@administrator_required()
@require_http_methods(["GET", "POST"])
def client_revoke(request, pk):
    client = get_visible_or_404(_clients_of(request.user.organisation), request, pk=pk)
    if request.method == "POST":
        if keys.client_revoke(request=request, client=client):
            messages.success(request, f"{possessive(client.name)} key is revoked: it is refused from now on")
        else:
            messages.info(request, f"{possessive(client.name)} key was already revoked")
        return redirect("api:clients")
    return render(request, "api/client_revoke.html", _context(request, client=client))
