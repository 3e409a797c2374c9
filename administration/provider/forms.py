from django import forms

from ehc.models import Organisation, Role, Service, Team, User

from ..fields import email_field, name_field


class TeamForm(forms.Form):
    name = name_field("Team name")
    service = forms.ChoiceField(
        label="Service",
        choices=[("", "Select a service")] + Service.choices,
        error_messages={"required": "Select the team's service", "invalid_choice": "Select the team's service"},
    )
    email = email_field(
        "Team mailbox",
        required=False,
        help_text="Where the team's own notices go. Leave blank if the team has none.",
    )

    # Offered once the team exists (it has people then): decision 0036, a team lead's sign-off.
    returns_need_sign_off = forms.BooleanField(
        label="A team lead signs off the team's advice before it is returned",
        required=False,
        help_text="Practitioners send their advice for sign-off; the council sees it once a team lead signs it off.",
    )
    leads = forms.ModelMultipleChoiceField(
        label="Team leads",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Practitioners of this team who sign off its advice",
        error_messages={
            "invalid_choice": "Select team leads from the list",
            "invalid_pk_value": "Select team leads from the list",
        },
    )

    def __init__(self, *args, provider, team=None, **kwargs):
        if team is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": team.name,
                "service": team.service,
                "email": team.email,
                "returns_need_sign_off": team.returns_need_sign_off,
                "leads": list(team.leads.all()),
            }
        super().__init__(*args, **kwargs)
        self.provider, self.team = provider, team
        if team is None:
            del self.fields["returns_need_sign_off"], self.fields["leads"]
        else:
            self.fields["leads"].queryset = team.members.filter(
                is_active=True, organisation=provider, roles__contains=[Role.PRACTITIONER]
            ).order_by("last_name", "first_name")

    def clean(self):
        data = super().clean()
        if data.get("returns_need_sign_off") and "leads" in self.fields and not data.get("leads"):
            if "leads" not in self.errors:
                self.add_error("leads", "Select at least one team lead: without one nobody could sign off the advice")
        return data

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Team.objects.filter(provider=self.provider, name__iexact=name)
        if self.team is not None:
            taken = taken.exclude(pk=self.team.pk)
        if taken.exists():
            raise forms.ValidationError(f"{self.provider} already has a team called {name}: choose another name")
        return name


class TeamStatusForm(forms.Form):
    """Deactivate or reactivate: the wanted state is posted, so a double submission changes nothing."""

    active = forms.TypedChoiceField(
        choices=[("0", "Deactivate"), ("1", "Reactivate")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
        error_messages={"required": "Choose whether to deactivate or reactivate the team"},
    )


class ContactsForm(forms.ModelForm):
    spoc_email = email_field(
        "SPOC mailbox",
        help_text="Requests for health advice, chases and the weekly digest go to this mailbox.",
    )
    director_name = name_field("Director's name")
    director_title = name_field("Director's job title", required=False)
    director_email = email_field("Director's email", help_text="Escalation 1 letters are addressed to the director.")

    class Meta:
        model = Organisation
        fields = ["spoc_email", "director_name", "director_title", "director_email"]


class HeadOfServiceForm(forms.Form):
    name = name_field("Name")
    title = name_field("Job title", required=False, help_text="For example, Head of Integrated Nursing and Therapies")
    email = email_field("Email", help_text="Escalation 2 notices for the teams they cover are copied to this address.")
    teams = forms.ModelMultipleChoiceField(
        label="Teams they cover",
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="A team another head covers moves to this one.",
        error_messages={
            "required": "Select the teams this head of service covers",
            "invalid_choice": "Select the teams this head of service covers",
            "invalid_pk_value": "Select the teams this head of service covers",
        },
    )

    def __init__(self, *args, provider, head=None, **kwargs):
        if head is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": head.name, "title": head.title, "email": head.email, "teams": head.teams}
        super().__init__(*args, **kwargs)
        self.provider, self.head = provider, head
        self.fields["teams"].queryset = Team.objects.filter(provider=provider).order_by("name")
        self.fields["teams"].label_from_instance = lambda team: (
            f"{team.name}{'' if team.is_active else ' (deactivated)'}"
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        own = (self.head.email or "").lower() if self.head is not None else None
        if email.lower() != own:
            heading = Team.objects.filter(provider=self.provider, head_of_service_email__iexact=email).first()
            if heading is not None:
                raise forms.ValidationError(
                    f"{heading.head_of_service_name or email} already has this email as a head of service here: "
                    "change their teams from the list of heads of service"
                )
        return email
