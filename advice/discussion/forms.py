from django import forms

from assessments.forms import text_field
from ehc.forms import SeveralFilesField

from ..forms import uploads_check
from .models import MESSAGE_TEXT_LIMIT


class MessageForm(forms.Form):
    text = text_field(
        "Your message",
        required=True,
        rows=5,
        max_length=MESSAGE_TEXT_LIMIT,
        help_text="Type @ and a username from the list below to tell that person by email. "
        "Messages cannot be changed or deleted: to correct one, post another",
    )
    attachments = SeveralFilesField(
        label="Attach files (optional)",
        required=False,
        help_text="PDFs or Word documents (.docx): you can choose several at once",
        error_messages={
            "invalid": "The selected file could not be read: upload it again",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked_uploads = []

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError("Enter your message")
        return text

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        self.checked_uploads = uploads_check(files)
        return files

    def uploads(self):
        """The files chosen, each with what its check found: [(file, advice.uploads.CheckedUpload)]."""
        return self.checked_uploads
