"""Forms for an organisation's people: roles of the organisation's kind only, and teams for a
provider's practitioners and heads of service. Nothing else about an account is offered."""

from django import forms

from ehc.models import Role

from .people import TEAM_ROLES, roles_for, teams_for


class PersonRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one role",
            "invalid_choice": "Select roles from the list",
        },
    )
    teams = forms.ModelMultipleChoiceField(
        label="Teams",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The teams a practitioner or head of service works for",
        error_messages={
            "invalid_choice": "Select teams from the list",
            "invalid_pk_value": "Select teams from the list",
        },
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["roles"].choices = roles_for(organisation)
        if organisation.is_provider:
            self.fields["teams"].queryset = teams_for(organisation)
        else:
            del self.fields["teams"]

    def clean(self):
        data = super().clean()
        roles = data.get("roles") or []
        if Role.LETTERS_ONLY in roles and len(roles) > 1:
            self.add_error("roles", "A letters-only account holds no other role: untick one of them")
        if "teams" in self.fields and any(role in roles for role in TEAM_ROLES) and not data.get("teams"):
            if "teams" not in self.errors:
                self.add_error("teams", "Select the teams this practitioner or head of service works for")
        return data
