"""The LA's letterhead (address block, telephone, website, footer, logo) and the AD Education's
signature image, as its letters print them: forms and the services that change them, audited."""

from django import forms
from django.db import transaction

from assessments.forms import text_field
from ehc.audit import changes_between, settings_change_record
from ehc.models import LocalAuthoritySettings

from .changes import snapshot
from .images import MAX_BYTES, image_clean

ORGANISATION_FIELDS = ("address", "telephone", "website")
SETTINGS_FIELDS = ("letter_footer",)
# The images a letter prints, by the address that manages each: which -> (settings field, label).
IMAGES = {
    "logo": ("letterhead_logo", "logo"),
    "signature": ("ad_education_signature", "AD Education's signature"),
}


class LetterheadForm(forms.Form):
    address = text_field(
        "Address block",
        help_text="One line per row, as the letterhead prints it",
        rows=5,
        max_length=1000,
    )
    telephone = forms.CharField(label="Telephone", required=False, max_length=40)
    website = forms.CharField(label="Website", required=False, max_length=200)
    letter_footer = forms.CharField(
        label="Footer",
        required=False,
        max_length=300,
        help_text="Printed at the foot of every page; the council's name if left empty",
    )

    @classmethod
    def for_la(cls, la, data=None):
        la_settings = LocalAuthoritySettings.for_la(la)
        initial = {name: getattr(la, name) for name in ORGANISATION_FIELDS}
        initial.update({name: getattr(la_settings, name) for name in SETTINGS_FIELDS})
        return cls(data, initial=initial)


class ImageForm(forms.Form):
    image = forms.FileField(
        label="Upload an image",
        required=False,
        help_text=f"A PNG or JPEG, smaller than {MAX_BYTES // (1024 * 1024)} MB",
        error_messages={
            "invalid": "The selected file could not be read: upload it again",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, which, **kwargs):
        super().__init__(*args, **kwargs)
        self.which = which
        self.fields["image"].label = f"Upload the {IMAGES[which][1]}"
        self.prefix = which

    def clean_image(self):
        if self.data.get(f"{self.prefix}-remove"):
            return None
        return image_clean(self.cleaned_data.get("image"))


def _all_fields(la, la_settings) -> dict:
    return {**snapshot(la, ORGANISATION_FIELDS), **snapshot(la_settings, SETTINGS_FIELDS)}


@transaction.atomic
def letterhead_update(*, request, la, data: dict) -> dict:
    """Save the letterhead's text; returns the changes ({label: [before, after]}), audited if any."""
    la_settings = LocalAuthoritySettings.objects.select_for_update().get(pk=LocalAuthoritySettings.for_la(la).pk)
    before = _all_fields(la, la_settings)
    for name in ORGANISATION_FIELDS:
        setattr(la, name, data[name].strip())
    for name in SETTINGS_FIELDS:
        setattr(la_settings, name, data[name].strip())
    changes = changes_between(before, _all_fields(la, la_settings))
    if changes:
        la.save(update_fields=[*ORGANISATION_FIELDS, "updated_at"])
        la_settings.save(update_fields=[*SETTINGS_FIELDS, "updated_at"])
        settings_change_record(
            request=request, organisation=la, summary="Changed the letterhead", changes=changes, obj=la_settings
        )
    return changes


@transaction.atomic
def letterhead_image_set(*, request, la, which, image) -> None:
    """Store a new image (a ContentFile from administration.images) or remove it (None). The old file
    stays in storage: letters issued with it name it in their snapshot."""
    field, label = IMAGES[which]
    la_settings = LocalAuthoritySettings.objects.select_for_update().get(pk=LocalAuthoritySettings.for_la(la).pk)
    before = snapshot(la_settings, [field])
    if image is None and not getattr(la_settings, field):
        return
    if image is None:
        setattr(la_settings, field, "")
    else:
        getattr(la_settings, field).save("image.png", image, save=False)
    la_settings.save(update_fields=[field, "updated_at"])
    settings_change_record(
        request=request,
        organisation=la,
        summary=f"Removed the {label}" if image is None else f"Uploaded a new {label}",
        changes=changes_between(before, snapshot(la_settings, [field])),
        obj=la_settings,
    )
