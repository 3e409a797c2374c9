from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from assessments.forms import text_field
from ehc.forms import GovDateField, SeveralFilesField
from ehc.models import Organisation, OrganisationKind, Service, Team

from .drafts import APPENDIX_C_FIELDS
from .models import ExceptionReason82, NotProvidedReason
from .provision_forms import RowSets
from .services import missing_services
from .uploads import check_upload, safe_display_name

# Appendix C sections are longer than a note.
ADVICE_TEXT_LIMIT = 10000
# A draft keeps text past the return's limits, to be shortened before it is returned; this bounds abuse only.
DRAFT_TEXT_LIMIT = 100_000


def _on_or_after(form, name, earliest, what):
    value = form.cleaned_data.get(name)
    if value is not None and value < earliest:
        form.add_error(name, f"{form.fields[name].label} must be on or after {what} ({earliest:%-d %B %Y})")


class AdviceRequestForm(forms.Form):
    provider = forms.ModelChoiceField(
        label="Health provider",
        queryset=Organisation.objects.none(),
        empty_label="Select a provider",
        error_messages={
            "required": "Select the health provider to ask",
            "invalid_choice": "Select a health provider from the list",
        },
    )
    services_named = forms.MultipleChoiceField(
        label="Health services the family says are involved",
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each becomes a tracked piece of advice. The SPOC adds any other teams involved.",
        error_messages={
            "required": "Select the health services the family says are involved",
            "invalid_choice": "Select health services from the list",
        },
    )
    message = text_field(
        "Message to the SPOC (optional)",
        help_text="No need to repeat the family's views: they go with the request",
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["provider"].queryset = (
            Organisation.objects.filter(
                kind=OrganisationKind.HEALTH_PROVIDER, is_active=True, served_las=case.local_authority_id
            )
            .exclude(advice_requests__case=case)
            .order_by("name")
        )

    def clean(self):
        data = super().clean()
        if not self.case.family_views.strip():
            raise ValidationError("Record the family's views in the case details first: advice givers write to them")
        provider, services = data.get("provider"), data.get("services_named")
        if provider is not None and not provider.spoc_email:
            self.add_error("provider", f"{provider} has no SPOC mailbox: ask an administrator to add it")
        if provider is not None and services:
            missing = missing_services(provider=provider, services=services)
            if missing:
                labels = ", ".join(Service(service).label for service in missing)
                self.add_error(
                    "services_named",
                    f"{provider} has no team for {labels}: untick it or choose another provider",
                )
        return data


def _size(size):
    return f"{size / (1024 * 1024):g} MB"


def uploads_check(files) -> list:
    """Each file checked on its own (advice.uploads); together no more than one document may be,
    the most the upload page's request may carry (decision 0013). [(file, CheckedUpload)], or
    ValidationError with every file's reason (named when there are several). The return's documents
    and the case discussion's attachments both go through it."""
    limit = settings.ADVICE_UPLOAD_MAX_BYTES
    if sum(file.size or 0 for file in files) > limit and len(files) > 1:
        raise ValidationError(
            f"The selected files must be smaller than {_size(limit)} together: choose fewer, or smaller, files"
        )
    errors, checked = [], []
    for file in files:
        try:
            checked.append(check_upload(file))
        except ValidationError as error:
            name = getattr(file, "name", "") or "file"
            prefix = "" if len(files) == 1 else f"{safe_display_name(name)}: "
            errors.extend(prefix + message for message in error.messages)
    if errors:
        raise ValidationError(errors)
    return list(zip(files, checked, strict=True))


class ReturnForm(forms.Form):
    document = SeveralFilesField(
        label="Upload the advice (optional if you complete the sections below)",
        required=False,
        help_text="PDFs or Word documents (.docx): you can choose several at once",
        error_messages={
            "invalid": "The selected file could not be read: upload it again",
            "empty": "The selected file is empty",
        },
    )
    returned_on = GovDateField(label="Date the advice was returned")
    description_of_needs = text_field("Description of needs", rows=6, max_length=ADVICE_TEXT_LIMIT)
    provision_required = text_field(
        "Provision required to meet the needs",
        rows=6,
        max_length=ADVICE_TEXT_LIMIT,
        help_text="What, who, how often",
    )
    outcomes = text_field("The difference the provision should make (outcomes)", rows=5, max_length=ADVICE_TEXT_LIMIT)
    how_often_seen = forms.CharField(
        label="How often the child is seen",
        required=False,
        max_length=300,
        error_messages={"max_length": "How often the child is seen must be 300 characters or fewer"},
    )
    seen_over_period = forms.CharField(
        label="Over what period",
        required=False,
        max_length=300,
        error_messages={"max_length": "Over what period must be 300 characters or fewer"},
    )
    pfa_employment = text_field("Preparing for adulthood: employment", rows=3, max_length=ADVICE_TEXT_LIMIT)
    pfa_independent_living = text_field(
        "Preparing for adulthood: independent living", rows=3, max_length=ADVICE_TEXT_LIMIT
    )
    pfa_community_inclusion = text_field(
        "Preparing for adulthood: community inclusion", rows=3, max_length=ADVICE_TEXT_LIMIT
    )
    pfa_health = text_field("Preparing for adulthood: health", rows=3, max_length=ADVICE_TEXT_LIMIT)

    # The draft's revision the page was opened on (advice.drafts.ReturnDraft.revision; 0: none yet).
    draft_revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    CONTENT_FIELDS = list(APPENDIX_C_FIELDS)
    STRUCTURED_REQUIRED = ["description_of_needs", "provision_required", "outcomes"]

    def __init__(self, *args, item, draft=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        # The structured provision and outcomes (advice.provision_forms); "add another" posts back.
        self.rows = RowSets(
            self.data if self.is_bound else None, local_authority=item.case.local_authority, initial=self.initial
        )
        self.adding = self.rows.adding
        self.draft = draft or self.adding
        self.checked_upload = None
        self.checked_uploads = []
        self.fields["returned_on"].initial = timezone.localdate()
        if self.adding:
            # Another row asked for: the page comes back as it was, with no errors yet.
            for field in self.fields.values():
                field.required = False
        if self.draft:
            # Saving a draft asks for nothing and keeps text longer than a return takes: the limits
            # apply when it is returned. The text boxes still count down to the return's limit.
            self.fields["returned_on"].required = False
            for name in self.CONTENT_FIELDS:
                field = self.fields[name]
                field.max_length = DRAFT_TEXT_LIMIT
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
                field.validators.append(MaxLengthValidator(DRAFT_TEXT_LIMIT))
                field.error_messages = {
                    **field.error_messages,
                    "max_length": f"{field.label} must be {DRAFT_TEXT_LIMIT:,} characters or fewer, even in a draft",
                }

    def clean_document(self):
        files = self.cleaned_data.get("document") or []
        self.checked_uploads = uploads_check(files)
        self.checked_upload = self.checked_uploads[0][1] if self.checked_uploads else None
        return files

    def uploads(self):
        """The files chosen, each with what its check found: [(file, advice.uploads.CheckedUpload)]."""
        return self.checked_uploads

    def clean(self):
        data = super().clean()
        _on_or_after(self, "returned_on", self.item.request.notified_on, "the date the advice was requested")
        if self.draft:
            if data.get("document") and not self.adding:
                self.add_error(
                    "document",
                    "A draft keeps what you write, not documents: choose the document again when you return the advice",
                )
            return data
        if "document" in self.errors:
            return data
        if not data.get("document"):
            missing = [name for name in self.STRUCTURED_REQUIRED if not data.get(name) and name not in self.errors]
            if len(missing) == len(self.STRUCTURED_REQUIRED):
                raise ValidationError("Upload the advice, or complete the needs, provision and outcomes")
            for name in missing:
                self.add_error(name, f"Enter {self.fields[name].label[0].lower()}{self.fields[name].label[1:]}")
        return data

    @property
    def row_errors(self) -> list[tuple[str, str]]:
        return [] if self.adding else self.rows.errors()

    def is_valid(self):
        # Both checked, so that the summary lists the sections' and the rows' errors together. A row
        # added is never valid: the page comes back with it, nothing is saved.
        form_ok, rows_ok = super().is_valid(), self.rows.is_valid()
        return form_ok and rows_ok and not self.adding

    def content(self):
        return {
            **{name: self.cleaned_data.get(name, "") for name in self.CONTENT_FIELDS},
            **self.rows.content(),
        }


class AmendForm(ReturnForm):
    """A returned advice's next version: complete in itself, with why it replaces the last. No date:
    the advice was returned on the first return's date, and amended today."""

    reason = text_field("Why are you amending the advice?", required=True, rows=3, max_length=2000)

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, item=item, **kwargs)
        self.fields["reason"].error_messages["required"] = "Enter why you are amending the advice"
        del self.fields["returned_on"], self.fields["draft_revision"]
        self.order_fields(["reason", "document", *self.CONTENT_FIELDS])


class NotProvidedForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why will the advice not be provided?",
        choices=NotProvidedReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the advice will not be provided"},
    )
    detail = text_field("Details of the reason", required=True)
    decided_by = forms.CharField(
        label="Who decided",
        help_text="Name and role, for example the head of service",
        max_length=200,
        error_messages={
            "required": "Enter who decided that the advice will not be provided",
            "max_length": "Who decided must be 200 characters or fewer",
        },
    )
    decided_on = GovDateField(label="Date of the decision")

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["decided_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        _on_or_after(self, "decided_on", self.item.request.notified_on, "the date the advice was requested")
        return data


class ExceptionForm(forms.Form):
    reason = forms.ChoiceField(
        label="Exception under regulation 8(2)",
        choices=ExceptionReason82.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the reason for the exception"},
    )
    detail = text_field("Details", required=True)

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item


class DraftPlanForm(forms.Form):
    sent_on = GovDateField(label="Date the draft plan was sent to the family")
    section_c = text_field("Section C: health needs", required=True, rows=8, max_length=ADVICE_TEXT_LIMIT)
    section_g = text_field("Section G: health provision", required=True, rows=8, max_length=ADVICE_TEXT_LIMIT)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean(self):
        data = super().clean()
        _on_or_after(self, "sent_on", self.case.received_on, "the date the request was received")
        return data


class DraftCommentForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Commenting for",
        queryset=Team.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Select the team you are commenting for",
            "invalid_choice": "Select a team that gave advice on this case",
        },
    )
    section = forms.ChoiceField(
        label="Section",
        choices=[("C", "Section C: health needs"), ("G", "Section G: health provision")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the section you are commenting on"},
    )
    text = text_field("Comment", required=True, rows=5)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[team.pk for team in teams]).order_by("name")
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
            self.fields["team"].widget = forms.HiddenInput()
