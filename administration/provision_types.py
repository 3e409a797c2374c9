"""The LA's list of provision types (advice.provision.ProvisionType): what an advice giver chooses
for each row of provision, and what the commissioning report counts by. Seeded with the defaults the
first time the list is opened; the administrator adds, renames, orders and retires types. A type is
never deleted: the returns that used it keep it (retired, it is no longer offered)."""

from django import forms
from django.db import IntegrityError, transaction

from advice.provision import ProvisionType, provision_types_seed
from ehc.audit import changes_between, settings_change_record
from ehc.models import AuditAction

from .changes import snapshot

FIELDS = ("name", "position", "is_active")
LABELS = {"name": "Name", "position": "Order in the list", "is_active": "In use"}


class ProvisionTypeForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=150,
        help_text="For example, Speech and language therapy: direct therapy",
        error_messages={
            "required": "Enter the name of the type of provision",
            "max_length": "The name must be 150 characters or fewer",
        },
    )
    position = forms.IntegerField(
        label="Order in the list",
        required=False,
        min_value=0,
        max_value=999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": "The order must be a whole number",
            "min_value": "The order must be 0 or more",
            "max_value": "The order must be 999 or fewer",
        },
    )
    is_active = forms.BooleanField(label="In use (offered to advice givers)", required=False, initial=True)

    def __init__(self, *args, la, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.la, self.instance = la, instance

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = ProvisionType.objects.filter(local_authority=self.la, name__iexact=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("There is already a type of provision with this name")
        return name


def provision_types_list(la):
    provision_types_seed(la)
    return list(ProvisionType.objects.filter(local_authority=la).order_by("-is_active", "position", "name"))


def provision_type_save(*, request, la, data, instance=None) -> ProvisionType | None:
    """Add or change a type, audited in the LA's settings history; None if the name was taken
    meanwhile (a second administrator)."""
    before = {} if instance is None else snapshot(instance, FIELDS, LABELS)
    row = instance or ProvisionType(local_authority=la)
    row.name = data["name"]
    row.is_active = data.get("is_active", False)
    if data.get("position") is not None:
        row.position = data["position"]
    elif instance is None:
        row.position = (
            ProvisionType.objects.filter(local_authority=la)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
            or 0
        ) + 1
    try:
        with transaction.atomic():
            row.save()
            settings_change_record(
                request=request,
                organisation=la,
                summary=f"{'Changed' if instance else 'Added'} a type of provision: {row.name}",
                changes=changes_between(before, snapshot(row, FIELDS, LABELS)),
                obj=row,
                action=AuditAction.CHANGE if instance else AuditAction.CREATE,
            )
    except IntegrityError:
        return None
    return row
