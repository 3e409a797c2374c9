"""An LA's annual review settings (issue 21, decision 0044): birthday alignment, the notice of a
review meeting to those invited and to health, and how long before the meeting their reports are due.
The regulations' floors are the model's minimums (2 weeks' notice, reports 14 days before); saved in
one step, recorded in the settings history. Nothing already scheduled moves: a review's due date is
set when it is scheduled, and a request for a review's advice keeps the due date it was sent with;
the work lists' "invitations not yet sent" reads the notice setting as it is today."""

from django import forms
from django.db import transaction

from ehc.audit import changes_between, settings_change_record
from ehc.models import LocalAuthoritySettings

from .changes import snapshot

REVIEW_FIELDS = [
    "review_birthday_alignment",
    "review_notice_weeks",
    "review_health_notice_weeks",
    "review_advice_days_before_meeting",
]
# name -> (label, largest, unit, what to enter); the smallest is the model's (the regulations' floor).
# Half a year of notice at most: longer would be a date set before the previous review's decision.
BOUNDS = {
    "review_notice_weeks": ("Notice of a review meeting", 26, "weeks", "how many weeks' notice of a review meeting"),
    "review_health_notice_weeks": (
        "Health's notice of a review meeting",
        26,
        "weeks",
        "how many weeks' notice health is given of a review meeting",
    ),
    "review_advice_days_before_meeting": (
        "Reports due before the meeting",
        56,
        "days",
        "how many days before the meeting the reports for a review are due",
    ),
}
LABELS = {
    "review_birthday_alignment": "Align annual reviews with the child's birthday",
    **{name: f"{label} ({unit})" for name, (label, _, unit, _) in BOUNDS.items()},
}
HELP = {
    "review_notice_weeks": "The invitations to the meeting and the requests for advice go at least this long before "
    "it. At least 2 weeks (regulation 20(3))",
    "review_health_notice_weeks": "Health is asked for its report at least this long before the meeting. At least "
    "2 weeks; Torbay's process asks for 6",
    "review_advice_days_before_meeting": "Reports are due this many days before the meeting, so that they can be "
    "circulated in time. At least 14 days (regulation 20(4))",
}


def smallest(name) -> int:
    """The model's minimum for the field: the regulations' floor."""
    field = LocalAuthoritySettings._meta.get_field(name)
    return min(validator.limit_value for validator in field.validators if hasattr(validator, "limit_value"))


def _number(name):
    label, largest, unit, what = BOUNDS[name]
    least = smallest(name)
    out_of_range = f"{label} must be from {least} to {largest} {unit}"
    return forms.IntegerField(
        label=LABELS[name],
        min_value=least,
        max_value=largest,
        help_text=HELP[name],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-3"}),
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"{label} must be a whole number of {unit}",
            "min_value": out_of_range,
            "max_value": out_of_range,
        },
    )


class ReviewTimingsForm(forms.Form):
    review_birthday_alignment = forms.TypedChoiceField(
        label=LABELS["review_birthday_alignment"],
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="Yes: a review is due by the child's birthday when it falls in the second half of the review "
        "period, else at the 12 months (6 under 5). No: always at the 12 months. Applies to reviews scheduled "
        "from now on",
        error_messages={
            "required": "Select whether to align annual reviews with the child's birthday",
            "invalid_choice": "Select whether to align annual reviews with the child's birthday",
        },
    )
    review_notice_weeks = _number("review_notice_weeks")
    review_health_notice_weeks = _number("review_health_notice_weeks")
    review_advice_days_before_meeting = _number("review_advice_days_before_meeting")

    def clean(self):
        data = super().clean()
        weeks, days = data.get("review_health_notice_weeks"), data.get("review_advice_days_before_meeting")
        if weeks is not None and days is not None and 7 * weeks <= days:
            self.add_error(
                "review_health_notice_weeks",
                "Health's notice must be longer than the time before the meeting its report is due",
            )
        return data


def review_timings_initial(la_settings) -> dict:
    initial = {name: getattr(la_settings, name) for name in REVIEW_FIELDS}
    initial["review_birthday_alignment"] = "yes" if la_settings.review_birthday_alignment else "no"
    return initial


def review_timings_change(*, request, la, data) -> dict:
    """Save the review settings from a valid form's `data`, recorded in the settings history with their
    before and after. Returns the changes (none: nothing saved or recorded)."""
    with transaction.atomic():
        la_settings = LocalAuthoritySettings.for_la(la)
        la_settings = LocalAuthoritySettings.objects.select_for_update().get(pk=la_settings.pk)
        before = snapshot(la_settings, REVIEW_FIELDS, LABELS)
        for name in REVIEW_FIELDS:
            setattr(la_settings, name, data[name])
        # The model's own minimums too (the form's are the same): a value below the law's floor is never saved.
        la_settings.clean_fields(
            exclude=[field.name for field in la_settings._meta.fields if field.name not in REVIEW_FIELDS]
        )
        changes = changes_between(before, snapshot(la_settings, REVIEW_FIELDS, LABELS))
        if changes:
            # Only these columns: the other settings pages keep theirs.
            la_settings.save(update_fields=[*REVIEW_FIELDS, "updated_at"])
            settings_change_record(
                request=request,
                organisation=la,
                summary="Changed the annual review settings",
                changes=changes,
                obj=la_settings,
            )
    return changes
