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
        if Role.COMMISSIONER in roles and len(roles) > 1:
            # A commissioner sees anonymised figures only; any other role would show them children.
            self.add_error("roles", "A commissioner's account holds no other role: untick one of them")
        if "teams" in self.fields and any(role in roles for role in TEAM_ROLES) and not data.get("teams"):
            if "teams" not in self.errors:
                self.add_error("teams", "Select the teams this practitioner or head of service works for")
        return data


def _text(label, *, required=True, max_length=150, **extra):
    lowered = label[0].lower() + label[1:]
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": f"Enter the {lowered}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **extra,
    )


class PersonInviteForm(PersonRolesForm):
    first_name = _text("First name", widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    last_name = _text("Last name", widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    # The address becomes the username too, whose column holds 150 characters.
    email = forms.EmailField(
        label="Email address",
        max_length=150,
        help_text="The link to set up the account goes here; it is also their username",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 150 characters or fewer",
        },
    )
    job_title = _text("Job title (optional)", required=False, max_length=200)

    field_order = ["first_name", "last_name", "email", "job_title", "roles", "teams"]
