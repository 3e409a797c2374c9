"""The forms of health's side of a review: the invitations and requests for advice, and moving the
meeting after they went (reviews.invitations)."""

from django import forms

from ehc.forms import CountedTextarea, GovDateField
from ehc.models import Organisation, OrganisationKind

TEXT_LIMIT = 5000


def _text(label, *, required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=TEXT_LIMIT,
        widget=CountedTextarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"{label} must be {TEXT_LIMIT:,} characters or fewer",
        },
    )


class InvitationsForm(forms.Form):
    providers = forms.ModelMultipleChoiceField(
        label="Health providers to ask for a report",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Those asked during the assessment are ticked. Each provider's SPOC is asked for its teams' "
        "reports, due before the meeting.",
        error_messages={"invalid_choice": "Select a health provider that serves your local authority"},
    )
    message = _text("Message to the SPOCs (optional)", help_text="Sent with the request; not put in the email")
    short_notice_confirmed = forms.BooleanField(
        label="I confirm that the invitations go with less notice than the local authority gives",
        required=False,
    )

    def __init__(self, *args, review, asked_ids=(), initial_providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Providers serving the LA, less those already asked for this review (a second request would
        # be refused): a provider of another LA is not a choice at all.
        self.fields["providers"].queryset = (
            Organisation.objects.filter(
                kind=OrganisationKind.HEALTH_PROVIDER, is_active=True, served_las=review.local_authority_id
            )
            .exclude(pk__in=list(asked_ids))
            .order_by("name")
        )
        if not self.is_bound:
            self.initial["providers"] = [p.pk for p in initial_providers if p.pk not in set(asked_ids)]


class MeetingMoveForm(forms.Form):
    meeting_on = GovDateField(label="New date of the review meeting", not_future=False)
    reason = _text("Why the meeting is moving", required=True)
