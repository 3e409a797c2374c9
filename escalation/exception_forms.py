"""The exception form (escalation.exception_views): reason, who agreed, dates, what it covers."""

from django import forms

from assessments.forms import text_field
from assessments.models import ADVICE_EXCEPTION_REASONS, ExceptionReason
from ehc.forms import GovDateField

ALL_ADVICE = "all"
CHOSEN_ADVICE = "chosen"


class ExceptionForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for the exception (regulations 10(4) and 8(2))",
        choices=ExceptionReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the reason for the exception"},
    )
    detail = text_field("Details", required=True)
    agreed_by = forms.CharField(
        label="Who agreed the exception",
        max_length=200,
        help_text="Name and role, for example the SEND manager",
        error_messages={
            "required": "Enter who agreed the exception",
            "max_length": "Who agreed the exception must be 200 characters or fewer",
        },
    )
    starts_on = GovDateField(label="Date the exception applies from", not_future=False)
    ends_on = GovDateField(
        label="Last day the exception applies (optional)",
        not_future=False,
        required=False,
        help_text="Leave empty while the exception is still running; you can end it later",
    )
    covers = forms.ChoiceField(
        label="Which health advice does it cover?",
        choices=[
            (ALL_ADVICE, "All the health advice of the case"),
            (CHOSEN_ADVICE, "Only the teams' advice chosen below"),
        ],
        initial=ALL_ADVICE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which health advice the exception covers"},
    )
    items = forms.ModelMultipleChoiceField(
        label="Teams whose advice it covers",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select teams of this case only"},
    )

    def __init__(self, *args, case, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["items"].queryset = items
        self.fields["items"].label_from_instance = lambda item: f"{item.team.name} ({item.provider})"

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on is not None and starts_on < self.case.received_on:
            self.add_error(
                "starts_on", "Date the exception applies from must be on or after the date the request was received"
            )
        if starts_on is not None and ends_on is not None and ends_on < starts_on:
            self.add_error("ends_on", "Last day the exception applies must be on or after the date it applies from")
        chosen = data.get("covers") == CHOSEN_ADVICE
        if chosen and not data.get("items"):
            self.add_error("items", "Select the teams whose advice the exception covers")
        if chosen and data.get("reason") and data["reason"] not in ADVICE_EXCEPTION_REASONS:
            self.add_error(
                "reason",
                "A school holiday is no exception for health advice (regulation 8(2)): choose another reason, "
                "or record it for the case's own deadlines",
            )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        covers_all = data["covers"] == ALL_ADVICE
        return {
            "reason": data["reason"],
            "detail": data["detail"],
            "agreed_by": data["agreed_by"],
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
            "covers_all_advice": covers_all,
            "items": [] if covers_all else list(data["items"]),
        }


class ExceptionEndForm(forms.Form):
    ends_on = GovDateField(label="Last day the exception applies", not_future=False)

    def __init__(self, *args, exception, **kwargs):
        super().__init__(*args, **kwargs)
        self.exception = exception

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < self.exception.starts_on:
            raise forms.ValidationError(
                f"Last day the exception applies must be on or after {self.exception.starts_on:%-d %B %Y}, "
                "the date it applies from"
            )
        return ends_on
