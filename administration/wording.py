"""The LA's wording of its letters and emails (escalation.wording): the form that checks it and the
service that saves a new version, audited with the text before and after."""

from django import forms
from django.db import transaction

from ehc.audit import settings_change_record
from ehc.forms import CountedTextarea
from escalation.models import WordingKind
from escalation.wording import WordingError, wording_check, wording_in_force, wording_version_create
from escalation.wording.render import MAX_LENGTH


class WordingForm(forms.Form):
    text = forms.CharField(
        label="Wording",
        max_length=MAX_LENGTH,
        strip=False,
        widget=CountedTextarea(attrs={"rows": 18, "spellcheck": "true"}),
        help_text="Leave a blank line between paragraphs. Use the placeholders listed below for the values "
        "each letter or email fills in, for example {{ response_due_on }}.",
        error_messages={
            "required": "Enter the wording",
            "max_length": f"The wording must be {MAX_LENGTH:,} characters or fewer",
        },
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n").strip()
        try:
            wording_check(self.kind, text)
        except WordingError as error:
            raise forms.ValidationError(str(error)) from error
        return text


@transaction.atomic
def wording_change(*, request, la, kind, text):
    """Save `text` as the LA's next version of `kind`; None if it is the wording already in force."""
    before = wording_in_force(la_id=la.pk, kind=kind)
    if before["text"] == text:
        return None
    version = wording_version_create(la=la, kind=kind, text=text, user=request.user)
    label = WordingKind(kind).label
    settings_change_record(
        request=request,
        organisation=la,
        summary=f"Changed the wording of the {label[0].lower() + label[1:]}: version {version.number}",
        changes={f"{label} (version {before['version']} to {version.number})": [before["text"], version.text]},
        obj=version,
    )
    return version
