from django import forms

from ehc.forms import CountedTextarea, GovDateField

from .identifiers import nhs_number_clean, uln_clean, upn_clean
from .models import CaseStatus, Requester

TEXT_LIMIT = 5000


def text_field(label, *, required=False, help_text="", rows=4, max_length=TEXT_LIMIT):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=CountedTextarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


class CaseForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the child's first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the child's last name"}
    )
    date_of_birth = GovDateField(label="Date of birth")
    nhs_number = forms.CharField(
        label="NHS number (optional)", max_length=14, required=False, help_text="For example, 943 476 5919"
    )
    # Room for the spaces and hyphens people type between the groups; stored without them.
    upn = forms.CharField(
        label="Unique pupil number (optional)", max_length=20, required=False, help_text="For example, B801200005001"
    )
    uln = forms.CharField(label="Unique learner number (optional)", max_length=14, required=False)
    la_reference = forms.CharField(label="The council's own ID for the child (optional)", max_length=30, required=False)
    address = text_field("Address", rows=3, max_length=500)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    setting = forms.CharField(label="Current school, college or setting", max_length=200, required=False)
    requested_by = forms.ChoiceField(
        label="Who made the request",
        choices=Requester.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who made the request"},
    )
    received_on = GovDateField(label="Date the request was received")
    family_views = text_field("The family's views", help_text="In their own words where possible")
    aspirations = text_field("Aspirations")
    outcomes_employment = text_field("Outcomes sought: employment", rows=2)
    outcomes_independent_living = text_field("Outcomes sought: independent living", rows=2)
    outcomes_community_inclusion = text_field("Outcomes sought: community inclusion", rows=2)
    outcomes_health = text_field("Outcomes sought: health", rows=2)

    def clean_nhs_number(self):
        value = self.cleaned_data["nhs_number"]
        return nhs_number_clean(value) if value else ""

    def clean_upn(self):
        value = self.cleaned_data["upn"]
        return upn_clean(value) if value else ""

    def clean_uln(self):
        value = self.cleaned_data["uln"]
        return uln_clean(value) if value else ""

    def clean(self):
        data = super().clean()
        born, received = data.get("date_of_birth"), data.get("received_on")
        if born and received and born > received:
            self.add_error("date_of_birth", "Date of birth must be before the date the request was received")
        if born and received and (received - born).days > 26 * 366:
            self.add_error(
                "date_of_birth", "EHC needs assessments are for children and young people up to 25"
            )
        return data


def case_officers(local_authority):
    """Whom a case of `local_authority` (an organisation, its id or an OuterRef) may be given to."""
    from ehc.models import Role, User

    return User.objects.filter(
        organisation=local_authority, roles__contains=[Role.CASE_OFFICER], is_active=True
    ).order_by("last_name", "first_name", "id")


class CaseOfficerForm(forms.Form):
    case_officer = forms.ModelChoiceField(
        label="Case officer", queryset=None, required=False, empty_label="Not assigned"
    )

    def __init__(self, *args, local_authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_officer"].queryset = case_officers(local_authority)


class DecisionForm(forms.Form):
    decided_to_assess = forms.TypedChoiceField(
        label="Did the local authority decide to assess?",
        choices=[("yes", "Yes, it will assess"), ("no", "No, it will not assess")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the local authority decided to assess"},
    )
    decision_on = GovDateField(label="Date the decision was notified to the family")


class NotIssuingForm(forms.Form):
    not_issuing_on = GovDateField(label="Date of the notice that no plan will be issued")
    reason = text_field("Reason", required=True)


class FinalPlanForm(forms.Form):
    final_plan_issued_on = GovDateField(label="Date the final plan was issued")


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label="Why is the case ending?",
        choices=[
            (CaseStatus.WITHDRAWN, "The request was withdrawn"),
            (CaseStatus.MOVED_AWAY, "The child moved away"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the case is ending"},
    )
    closed_on = GovDateField(label="Date")
    reason = text_field("Details", required=True)


class ShareForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person to share with",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )


class CaseFilterForm(forms.Form):
    SHOW = [("open", "Open cases"), ("closed", "Closed cases")]
    RAG = [("", "Any"), ("red", "Late"), ("amber", "Due within 2 weeks"), ("green", "On track")]
    show = forms.ChoiceField(choices=SHOW, required=False)
    mine = forms.BooleanField(label="Only my cases", required=False)
    rag = forms.ChoiceField(label="Next deadline", choices=RAG, required=False)
    q = forms.CharField(label="Reference or child's name", required=False, max_length=100)
    # "Ready to draft" is the drafting gate open: advice's definition, registered with
    # assessments.sections (advice.gate.ready_to_draft_q).
    STAGES = [
        ("", "Any"),
        (CaseStatus.AWAITING_DECISION.value, "Awaiting a decision to assess"),
        ("ready_to_draft", "Ready to draft"),
    ]
    stage = forms.ChoiceField(label="Stage", choices=STAGES, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, date of birth, NHS number, unique pupil number or case reference",
        max_length=100,
        error_messages={
            "required": "Enter a name, date of birth, NHS number, unique pupil number or case reference",
            "max_length": "Search for 100 characters or fewer",
        },
    )
