from django import forms

from assessments.forms import text_field

from .models import SendBackReason

# A note is kept whole: longer than this is refused with an error, never cut short.
NOTE_LIMIT = 5000


class SendBackForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label="Why is the advice being sent back?",
        help_text="Select all that apply",
        choices=SendBackReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select why the advice is being sent back",
            "invalid_choice": "Select the reasons from the list",
        },
    )
    note = text_field(
        "Note for the team",
        help_text="What the team needs to change. Required when the reason is Other",
        rows=6,
        max_length=NOTE_LIMIT,
    )

    def clean(self):
        data = super().clean()
        if SendBackReason.OTHER in (data.get("reasons") or []) and not (data.get("note") or "").strip():
            self.add_error("note", "Enter a note saying what else is wrong with the advice")
        return data
