"""An LA's timings: the advice period, the chase rule, the escalation offsets, the response windows
and the weekly digest's day and time. A change is previewed against the open advice items before it
is saved (administration.reschedule), then saved and applied in one transaction, audited
(docs/decisions/0023-la-settings-pages.md says what a change applies to, and why)."""

import copy
import datetime
import re
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils import timezone

from advice.models import AdviceItem, AdviceRequest, ItemStatus, Stage
from ehc.audit import changes_between, settings_change_record
from ehc.models import LocalAuthoritySettings, Weekday
from ehc.workdays import WorkingCalendar
from escalation.models import DigestAudience, DigestRun, Escalation, EscalationStage
from escalation.rules import LONDON, TimerRules, week_of

from .changes import snapshot
from .reschedule import moves_between, open_items_reschedule

# name -> (label, smallest, largest, unit, what to enter). The bounds (decision 0023): the law gives an
# advice giver at most 6 weeks (reg. 8), so the advice period is 1 to 42 days; the others stay within
# what a process of chases and escalations can mean (a chase within two working weeks of the due date,
# each escalation within 8 weeks of the step before it, an answer within 30 working days).
BOUNDS = {
    "advice_period_days": ("Advice period", 1, 42, "days", "the advice period in days"),
    "chase_after_due_working_days": (
        "Chase",
        1,
        10,
        "working days after the due date",
        "how many working days after the due date to chase",
    ),
    "escalation_1_after_due_days": (
        "Escalation 1",
        1,
        56,
        "days after the due date",
        "how many days after the due date escalation 1 goes",
    ),
    "escalation_1_response_working_days": (
        "Response to escalation 1",
        1,
        30,
        "working days",
        "how many working days the DCO/DMO office has to respond to escalation 1",
    ),
    "escalation_2_after_escalation_1_days": (
        "Escalation 2",
        1,
        56,
        "days after the escalation 1 letter",
        "how many days after the escalation 1 letter escalation 2 goes",
    ),
    "head_of_service_response_working_days": (
        "Head of service response",
        1,
        30,
        "working days",
        "how many working days the heads of service have to respond to escalation 2",
    ),
    "quality_send_back_working_days": (
        "Advice sent back",
        1,
        30,
        "working days",
        "how many working days a team has to return advice the local authority sent back",
    ),
}
TIMING_FIELDS = [*BOUNDS, "digest_weekday", "digest_time"]
# The settings history names each timing as the page does, with its unit.
TIMING_LABELS = {
    **{name: f"{label} ({unit})" for name, (label, _, _, unit, _) in BOUNDS.items()},
    "digest_weekday": "Day of the weekly list",
    "digest_time": "Time of the weekly list",
}
# The digest goes in office hours: business support reads it that day.
DIGEST_EARLIEST, DIGEST_LATEST = datetime.time(6, 0), datetime.time(20, 0)
TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")

HELP = {
    "advice_period_days": "Calendar days from notifying the SPOC to the advice's due date (42: the law's 6 weeks). "
    "Applies to requests sent from now on.",
    "chase_after_due_working_days": "1 chases on the first working day after the due date",
    "escalation_1_after_due_days": "Calendar days; the letter goes on the first working day on or after. "
    "If that comes before the chase, the chase is skipped",
    "escalation_1_response_working_days": "The DCO/DMO office's answer is due this many working days after the "
    "letter. Applies to letters issued from now on",
    "escalation_2_after_escalation_1_days": "Calendar days; on the first working day on or after",
    "head_of_service_response_working_days": "The heads of service's answer is due this many working days after "
    "escalation 2. Applies to escalations from now on",
    "quality_send_back_working_days": "Advice a case officer sends back for its quality is due again this many "
    "working days later, then chased and escalated as any late advice. Applies to advice sent back from now on",
}


def _number(name):
    label, smallest, largest, unit, what = BOUNDS[name]
    out_of_range = f"{label} must be from {smallest} to {largest} {unit}"
    return forms.IntegerField(
        label=f"{label} ({unit})",
        min_value=smallest,
        max_value=largest,
        help_text=HELP[name],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-3"}),
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"{label} must be a whole number of {unit.split(' after')[0]}",
            "min_value": out_of_range,
            "max_value": out_of_range,
        },
    )


class TimingsForm(forms.Form):
    advice_period_days = _number("advice_period_days")
    chase_after_due_working_days = _number("chase_after_due_working_days")
    escalation_1_after_due_days = _number("escalation_1_after_due_days")
    escalation_1_response_working_days = _number("escalation_1_response_working_days")
    escalation_2_after_escalation_1_days = _number("escalation_2_after_escalation_1_days")
    head_of_service_response_working_days = _number("head_of_service_response_working_days")
    quality_send_back_working_days = _number("quality_send_back_working_days")
    digest_weekday = forms.TypedChoiceField(
        label="Day of the weekly list of late advice to business support",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="On the next working day when that day is a bank holiday or a closure day. The SPOCs' digest "
        "goes on Mondays for every council alike",
        error_messages={"required": "Select the day of the weekly list", "invalid_choice": "Select a weekday"},
    )
    digest_time = forms.CharField(
        label="Time of the weekly list (24-hour clock)",
        max_length=5,
        help_text="For example 09:00 or 14:30, between 06:00 and 20:00",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "govuk-input--width-5"}),
        error_messages={
            "required": "Enter the time of the weekly list",
            "max_length": "Enter the time of the weekly list like 09:00",
        },
    )

    def clean_digest_time(self):
        found = TIME.match(self.cleaned_data["digest_time"])
        try:
            value = datetime.time(int(found[1]), int(found[2])) if found else None
        except ValueError:
            value = None
        if value is None:
            raise forms.ValidationError("Enter the time of the weekly list like 09:00, on the 24-hour clock")
        if not DIGEST_EARLIEST <= value <= DIGEST_LATEST:
            raise forms.ValidationError("Time of the weekly list must be between 06:00 and 20:00")
        return value


def timings_initial(la_settings) -> dict:
    initial = {name: getattr(la_settings, name) for name in TIMING_FIELDS}
    initial["digest_time"] = la_settings.digest_time.strftime("%H:%M")
    return initial


def version_of(la_settings) -> str:
    """The timings a preview was made against: a confirmation against others is refused."""
    return "|".join(str(getattr(la_settings, name)) for name in TIMING_FIELDS)


def proposed_settings(la_settings, data):
    proposed = copy.copy(la_settings)
    for name in TIMING_FIELDS:
        setattr(proposed, name, data[name])
    return proposed


def next_digest(rules: TimerRules, la_settings, *, now) -> datetime.datetime:
    """When the LA's next business support list goes under `rules`: a list already due stays due; else
    the first digest instant after now whose week has not had its list (DigestRun, one a week: a
    week's list is never sent twice, and a week whose instant is still ahead is not skipped)."""
    current = la_settings.next_digest_at
    if current is not None and current <= now:
        return current
    candidate = rules.digest_next_after(now)
    sent = set(
        DigestRun.objects.filter(
            audience=DigestAudience.BUSINESS_SUPPORT,
            local_authority_id=la_settings.local_authority_id,
            week_of__gte=week_of(candidate.astimezone(LONDON).date()),
        ).values_list("week_of", flat=True)
    )
    for _ in range(8):
        if week_of(candidate.astimezone(LONDON).date()) not in sent:
            break
        candidate = rules.digest_next_after(candidate)
    return candidate


@dataclass
class Preview:
    changes: dict
    moves: list
    requests_keeping_due_dates: int
    letters_keeping_response_dates: int
    escalations_2_keeping_response_dates: int
    digest_before: datetime.datetime
    digest_after: datetime.datetime
    version: str


def timings_preview(*, la, data, now=None) -> Preview:
    """What saving `data` would change, computed with the rules the sweep uses."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    la_settings = LocalAuthoritySettings.for_la(la)
    calendar = WorkingCalendar.for_la(la.pk)
    proposed = proposed_settings(la_settings, data)
    current_rules = TimerRules(la_settings=la_settings, calendar=calendar)
    proposed_rules = TimerRules(la_settings=proposed, calendar=calendar)
    escalations = Escalation.objects.filter(local_authority=la, response_due_on__gte=today, responded_at__isnull=True)
    return Preview(
        changes=changes_between(
            snapshot(la_settings, TIMING_FIELDS, TIMING_LABELS), snapshot(proposed, TIMING_FIELDS, TIMING_LABELS)
        ),
        moves=moves_between(la=la, current=current_rules, proposed=proposed_rules, today=today),
        requests_keeping_due_dates=AdviceRequest.objects.filter(
            local_authority=la, items__status=ItemStatus.OUTSTANDING
        )
        .distinct()
        .count(),
        letters_keeping_response_dates=escalations.filter(stage=EscalationStage.ESCALATION_1).count(),
        escalations_2_keeping_response_dates=AdviceItem.objects.filter(
            local_authority=la,
            status=ItemStatus.OUTSTANDING,
            stage=Stage.ESCALATION_2,
            head_of_service_responded_at__isnull=True,
            head_of_service_response_due_on__gte=today,
        ).count(),
        digest_before=next_digest(current_rules, la_settings, now=now),
        digest_after=next_digest(proposed_rules, la_settings, now=now),
        version=version_of(la_settings),
    )


class StaleTimings(Exception):
    """The timings changed after the preview was made: the administrator checks a new one."""


def timings_change(*, request, la, data, version, now=None) -> int:
    """Save the timings and move the open items' next actions, in one transaction, audited. Refuses
    (StaleTimings) when the timings are no longer those the preview was made against. Returns how
    many items' next actions moved."""
    now = now or timezone.now()
    with transaction.atomic():
        la_settings = LocalAuthoritySettings.for_la(la)
        la_settings = LocalAuthoritySettings.objects.select_for_update().get(pk=la_settings.pk)
        if version_of(la_settings) != version:
            raise StaleTimings
        calendar = WorkingCalendar.for_la(la.pk)
        proposed = proposed_settings(la_settings, data)
        proposed_rules = TimerRules(la_settings=proposed, calendar=calendar)
        moved = len(
            moves_between(
                la=la,
                current=TimerRules(la_settings=la_settings, calendar=calendar),
                proposed=proposed_rules,
                today=timezone.localdate(now),
            )
        )
        before = snapshot(la_settings, TIMING_FIELDS, TIMING_LABELS)
        fields = list(TIMING_FIELDS)
        if la_settings.next_digest_at is not None:
            proposed.next_digest_at = next_digest(proposed_rules, la_settings, now=now)
            fields.append("next_digest_at")
        proposed.save(update_fields=[*fields, "updated_at"])
        open_items_reschedule(la=la, today=timezone.localdate(now))
        changes = changes_between(before, snapshot(proposed, TIMING_FIELDS, TIMING_LABELS))
        if changes:
            settings_change_record(
                request=request,
                organisation=la,
                summary=f"Changed the timings ({moved} open item{'s' if moved != 1 else ''} moved "
                f"{'their' if moved != 1 else 'its'} next action)",
                changes=changes,
                obj=proposed,
            )
    return moved
