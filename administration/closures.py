"""An LA's closure days: days it is closed besides the England and Wales bank holidays. They change
its working days (ehc.workdays.WorkingCalendar), so adding or removing one moves the open items'
next actions that fall on or count across it (administration.reschedule), in the same transaction."""

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone

from ehc.audit import changes_between, settings_change_record
from ehc.forms import GovDateField
from ehc.models import AuditAction, ClosureDay, LocalAuthoritySettings
from ehc.workdays import WorkingCalendar, is_bank_holiday
from escalation.rules import TimerRules

from .changes import snapshot
from .reschedule import moves_between, open_items_reschedule

CLOSURE_FIELDS = ["date", "reason"]


class ClosureDayForm(forms.Form):
    date = GovDateField(label="Date the council is closed", not_future=False)
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="For example: council offices closed between Christmas and New Year",
        error_messages={
            "required": "Enter the reason the council is closed",
            "max_length": "Reason must be 200 characters or fewer",
        },
    )

    def __init__(self, *args, la, **kwargs):
        super().__init__(*args, **kwargs)
        self.la = la

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day is None:
            return day
        when = f"{day:%A %-d %B %Y}"
        if day < timezone.localdate():
            raise forms.ValidationError(f"Date the council is closed must be today or in the future: {when} has passed")
        if day.weekday() >= 5:
            raise forms.ValidationError(f"{when} is a weekend day: it is not a working day already")
        if is_bank_holiday(day):
            raise forms.ValidationError(f"{when} is a bank holiday: it is not a working day already")
        if ClosureDay.objects.filter(local_authority=self.la, date=day).exists():
            raise forms.ValidationError(f"{when} is already a closure day")
        return day


def closure_rules(la, *, add=None, remove=None) -> tuple[TimerRules, TimerRules]:
    """The LA's rules now, and with the closure day `add` added or `remove` removed."""
    la_settings = LocalAuthoritySettings.for_la(la)
    days = set(ClosureDay.objects.filter(local_authority=la).values_list("date", flat=True))
    proposed = (days | {add}) if add else days - {remove}
    return (
        TimerRules(la_settings=la_settings, calendar=WorkingCalendar(days)),
        TimerRules(la_settings=la_settings, calendar=WorkingCalendar(proposed)),
    )


def closure_moves(la, *, add=None, remove=None):
    """The open items whose next action moves when the closure day is added or removed."""
    current, proposed = closure_rules(la, add=add, remove=remove)
    return moves_between(la=la, current=current, proposed=proposed, today=timezone.localdate())


def _settings_locked(la):
    """The LA's settings row, locked: one settings change at a time for an LA (timings or closures),
    each rescheduling against what the one before it saved. Its `updated_at` is touched, so that a
    sweep run that loaded the LA's calendar before this change reloads it for the items it claims after
    (escalation.sweep.claim.current_rules)."""
    la_settings = LocalAuthoritySettings.for_la(la)
    la_settings = LocalAuthoritySettings.objects.select_for_update().get(pk=la_settings.pk)
    la_settings.save(update_fields=["updated_at"])
    return la_settings


def closure_day_add(*, request, la, date, reason) -> tuple[ClosureDay | None, int]:
    """Add the closure day and reschedule the open items, audited. Returns it and how many items'
    next actions moved (as the preview counts them); (None, 0) if the date was taken meanwhile (a
    second administrator, or a second click)."""
    try:
        with transaction.atomic():
            _settings_locked(la)
            moved = len(closure_moves(la, add=date))
            closure = ClosureDay.objects.create(local_authority=la, date=date, reason=reason)
            open_items_reschedule(la=la, today=timezone.localdate())
            settings_change_record(
                request=request,
                organisation=la,
                summary=f"Added a closure day: {date:%-d %B %Y} ({moved} open item{'s' if moved != 1 else ''} "
                "rescheduled)",
                changes=changes_between({}, snapshot(closure, CLOSURE_FIELDS)),
                obj=closure,
                action=AuditAction.CREATE,
            )
    except IntegrityError:
        return None, 0
    return closure, moved


@transaction.atomic
def closure_day_remove(*, request, la, closure) -> int:
    """Remove the closure day and reschedule the open items, audited. Returns how many moved."""
    _settings_locked(la)
    closure = ClosureDay.objects.select_for_update().filter(pk=closure.pk, local_authority=la).first()
    if closure is None:
        return 0
    before = snapshot(closure, CLOSURE_FIELDS)
    object_id, day = closure.pk, closure.date
    moved = len(closure_moves(la, remove=day))
    closure.delete()
    open_items_reschedule(la=la, today=timezone.localdate())
    closure.pk = object_id
    settings_change_record(
        request=request,
        organisation=la,
        summary=f"Removed a closure day: {day:%-d %B %Y} ({moved} open item{'s' if moved != 1 else ''} rescheduled)",
        changes={label: [value, None] for label, value in before.items()},
        obj=closure,
    )
    return moved
