"""The review's forms, one step a page. Dates must make sense against the review (reviews.services
says which); the forms check what a form alone can."""

from django import forms

from assessments import review_schedule
from assessments.forms import text_field
from assessments.models import ReviewDecision
from ehc.forms import GovDateField

from .services.workflow import TRANSITION_NEEDED


class MeetingForm(forms.Form):
    meeting_on = GovDateField(label="Date of the review meeting", not_future=False)


class EarlyForm(forms.Form):
    due_on = GovDateField(label="New due date", not_future=False)
    early_reason = text_field(
        "Why the review is early",
        required=True,
        help_text="For example, the child's needs have changed, or a move between phases of education",
    )


class HeldForm(forms.Form):
    held_on = GovDateField(label="Date the meeting was held")
    pfa_employment = text_field("Preparing for adulthood: employment", required=True, rows=3)
    pfa_independent_living = text_field("Preparing for adulthood: independent living", required=True, rows=3)
    pfa_community_inclusion = text_field("Preparing for adulthood: community inclusion", required=True, rows=3)
    pfa_health = text_field("Preparing for adulthood: good health", required=True, rows=3)

    adult_services_transition = text_field(
        "Transition to adult health services",
        help_text="Year 9 and above: how health will plan the move to adult services, such as continuing care and "
        "the adult team's handover",
        rows=4,
    )

    def __init__(self, *args, date_of_birth, planned_on, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_of_birth = date_of_birth
        if not review_schedule.covers_preparing_for_adulthood(date_of_birth, planned_on):
            field = self.fields["adult_services_transition"]
            field.label = "Transition to adult health services (optional before year 9)"

    def clean(self):
        # Said with the other mistakes, not after them (the service checks it too).
        data = super().clean()
        held_on = data.get("held_on")
        if (
            held_on
            and review_schedule.covers_preparing_for_adulthood(self.date_of_birth, held_on)
            and not data.get("adult_services_transition", "").strip()
        ):
            self.add_error("adult_services_transition", TRANSITION_NEEDED)
        return data


class ReportForm(forms.Form):
    report_circulated_on = GovDateField(label="Date the report was circulated")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="The local authority's decision",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the local authority's decision"},
    )
    decision_notified_on = GovDateField(label="Date the decision was notified")
    decision_reason = text_field("Reasons for the decision", required=True)


class AmendedPlanForm(forms.Form):
    amended_plan_issued_on = GovDateField(label="Date the amended plan was issued")


class MovedAwayForm(forms.Form):
    moved_on = GovDateField(label="Date the child moved")
    reason = text_field(
        "Where the child moved to, and when the plan was sent",
        required=True,
        help_text="The new council takes the plan on: name it, and the date the plan was sent to it",
    )
