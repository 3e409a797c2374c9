from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Layout
from django import forms
from django.utils import timezone

from advice.models import DelayReason, NotProvidedReason
from assessments.forms import text_field
from ehc.forms import GovDateField

from .models import ResolutionKind
from .services import Outcome

PROMISED_LABEL = "The advice will be provided: give the date and the reason for the delay"
NOT_PROVIDED_LABEL = "The advice will not be provided"


class EscalationResponseForm(forms.Form):
    response = text_field("The DCO/DMO office's response to the Assistant Director", required=True, rows=8)


class HeadOfServiceOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What is the outcome of the escalation?",
        choices=[(Outcome.PROMISED, PROMISED_LABEL), (Outcome.NOT_PROVIDED, NOT_PROVIDED_LABEL)],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the advice will be provided"},
    )
    promised_on = GovDateField(label="Date the advice will be provided", not_future=False, required=False)
    delay_reason = forms.ChoiceField(
        label="Main reason for the delay",
        choices=[("", "Select a reason")] + DelayReason.choices,
        required=False,
    )
    delay_detail = text_field("Reason for the delay, in your words", rows=5)
    not_provided_reason = forms.ChoiceField(
        label="Main reason the advice will not be provided",
        choices=[("", "Select a reason")] + NotProvidedReason.choices,
        required=False,
    )
    not_provided_detail = text_field("Why the advice will not be provided, in your words", rows=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own form tag carries the token
        self.helper.layout = Layout(
            ConditionalRadios(
                "outcome",
                ConditionalQuestion(PROMISED_LABEL, "promised_on", "delay_reason", "delay_detail"),
                ConditionalQuestion(NOT_PROVIDED_LABEL, "not_provided_reason", "not_provided_detail"),
            )
        )

    def service_arguments(self) -> dict:
        """The valid form's answer as escalation.services.head_of_service_outcome_record takes it."""
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "promised_on": data.get("promised_on"),
            "delay_reason": data.get("delay_reason", ""),
            "delay_detail": data.get("delay_detail", ""),
            "not_provided_reason": data.get("not_provided_reason", ""),
            "not_provided_detail": data.get("not_provided_detail", ""),
        }

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == Outcome.PROMISED:
            promised = data.get("promised_on")
            if promised is None and "promised_on" not in self.errors:
                self.add_error("promised_on", "Enter the date the advice will be provided")
            elif promised is not None and promised < timezone.localdate():
                self.add_error(
                    "promised_on", "The date the advice will be provided must be today or in the future"
                )
            if not data.get("delay_reason"):
                self.add_error("delay_reason", "Select the main reason for the delay")
            if not data.get("delay_detail", "").strip():
                self.add_error("delay_detail", "Enter the reason for the delay")
        elif outcome == Outcome.NOT_PROVIDED:
            if not data.get("not_provided_reason"):
                self.add_error(
                    "not_provided_reason", "Select the main reason the advice will not be provided"
                )
            if not data.get("not_provided_detail", "").strip():
                self.add_error("not_provided_detail", "Enter why the advice will not be provided")
        return data


AGREED_DATE_LABEL = "A date agreed with the team"
NOT_NEEDED_LABEL = "Agreed with the local authority that the advice is not needed"


class Escalation2ResolutionForm(forms.Form):
    kind = forms.ChoiceField(
        label="What has the DCO/DMO office agreed?",
        choices=[(ResolutionKind.AGREED_DATE, AGREED_DATE_LABEL), (ResolutionKind.NOT_NEEDED, NOT_NEEDED_LABEL)],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the DCO/DMO office has agreed"},
    )
    agreed_date = GovDateField(
        label="Date the advice will be provided",
        help_text="Only for a date agreed with the team. For example, 27 3 2027",
        not_future=False,
        required=False,
    )
    reason = text_field("Reason, as given to the Assistant Director", required=True, rows=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own form tag carries the token
        # Plain radios and the date beside them: a conditional reveal for one choice only leaves the other
        # radio's aria-controls pointing at nothing (an axe error).
        self.helper.layout = Layout("kind", "agreed_date", "reason")

    def clean(self):
        data = super().clean()
        if data.get("kind") == ResolutionKind.AGREED_DATE:
            agreed = data.get("agreed_date")
            if agreed is None and "agreed_date" not in self.errors:
                self.add_error("agreed_date", "Enter the date the advice will be provided")
            elif agreed is not None and agreed < timezone.localdate():
                self.add_error("agreed_date", "The date the advice will be provided must be today or in the future")
        return data
