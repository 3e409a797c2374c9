"""An LA's recipients and letters settings: who signs and receives the escalation letters, which
addresses a letter may be attached for, whether the AD Education approves each letter first, who in
the council sees which cases, and the partner organisations a case may be shared with."""

import re

from django import forms
from django.db import transaction
from django.db.models import Q

from ehc.audit import changes_between, settings_change_record
from ehc.forms import CountedTextarea
from ehc.models import LocalAuthoritySettings, Organisation, OrganisationKind
from ehc.models.la_settings import normalised_domains

from .changes import snapshot

RECIPIENT_FIELDS = [
    "ad_education_name",
    "ad_education_title",
    "ad_education_email",
    "business_support_email",
    "secure_email_domains",
    "own_domain_is_secure",
    "letters_need_ad_approval",
    "case_access_restricted_to_team",
    "partners",
]

# A DNS name: labels of letters, digits and hyphens (not at either end), at least two of them.
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
KIND_ORDER = {OrganisationKind.LOCAL_AUTHORITY: 0, OrganisationKind.ICB: 1, OrganisationKind.HEALTH_PROVIDER: 2}


def _lowered(label):
    """The label inside a sentence: "Business support mailbox" -> "business support mailbox", an
    acronym ("AD Education's ...") kept."""
    return label if label[1:2].isupper() else label[0].lower() + label[1:]


def _email(label):
    lowered = _lowered(label)
    return forms.EmailField(
        label=label,
        required=False,
        max_length=254,
        error_messages={
            "invalid": f"Enter {lowered} in the correct format, like name@council.example",
            "max_length": f"{label} must be 254 characters or fewer",
        },
    )


def _text(label, *, required=False, max_length=200):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={
            "required": f"Enter the {_lowered(label)}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


def partner_choices(la_settings):
    """Who a case may be shared with besides the organisations party to it: every other active
    organisation but the LA's own ICB (always party), and any partner already chosen, so that saving
    the page never drops one silently."""
    la = la_settings.local_authority
    chosen = la_settings.partners.values("pk") if la_settings.pk else Organisation.objects.none().values("pk")
    found = Organisation.objects.filter(Q(is_active=True) | Q(pk__in=chosen)).exclude(pk=la.pk)
    if la.icb_id:
        found = found.exclude(pk=la.icb_id)
    return found


class RecipientsForm(forms.Form):
    ad_education_name = _text("AD Education's name")
    ad_education_title = _text("AD Education's title", required=True)
    ad_education_email = _email("AD Education's email address")
    business_support_email = _email("Business support mailbox")
    secure_email_domains = forms.CharField(
        label="Secure email domains for letters",
        required=False,
        max_length=5000,
        widget=CountedTextarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="One domain a line (or separated by commas), like nhs.net. Exact domains only: nhs.net does "
        "not cover mail.nhs.net, and mail.nhs.net does not cover nhs.net. Capitals, a leading @ and repeats are "
        "removed when you save.",
        error_messages={"max_length": "Secure email domains must be 5,000 characters or fewer"},
    )
    own_domain_is_secure = forms.BooleanField(
        label="Also attach letters for the council's own domain (the domains of the business support mailbox "
        "and the AD Education's address)",
        required=False,
    )
    letters_need_ad_approval = forms.BooleanField(
        label="Escalation letters need the AD Education's approval before they are sent",
        required=False,
        help_text="A letter waits in the AD Education's queue until approved, and is dated the day it is sent",
    )
    case_access_restricted_to_team = forms.BooleanField(
        label="Case officers see only their own cases",
        required=False,
        help_text="Case officers then see the cases assigned to them, unassigned cases and cases shared with "
        "them; business support, the AD Education and SEND managers still see every case of the council",
    )
    partners = forms.ModelMultipleChoiceField(
        label="Partner organisations a case may be shared with",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A case can always be shared with the organisations party to it: the council, the providers "
        "asked for advice on it and the council's integrated care board. Choose any others here.",
        error_messages={"invalid_choice": "Select partner organisations from the list"},
    )

    def __init__(self, *args, la_settings, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(partner_choices(la_settings), key=lambda org: (KIND_ORDER.get(org.kind, 9), org.name))
        self.fields["partners"].queryset = partner_choices(la_settings)
        self.fields["partners"].choices = [
            (org.pk, f"{org.name} ({org.get_kind_display().lower()})") for org in choices
        ]

    def clean_secure_email_domains(self):
        raw = [part.strip() for part in re.split(r"[,\s;]+", self.cleaned_data["secure_email_domains"])]
        for part in raw:
            if "@" in part.lstrip("@"):
                raise forms.ValidationError(
                    f"Enter domains, not email addresses: {part} is an address (its domain is "
                    f"{part.rpartition('@')[2]})"
                )
        domains = normalised_domains(raw)
        for domain in domains:
            if not DOMAIN.match(domain):
                raise forms.ValidationError(f"Enter each secure domain like nhs.net: {domain} is not a domain")
        return domains


def recipients_initial(la_settings) -> dict:
    initial = {name: getattr(la_settings, name) for name in RECIPIENT_FIELDS if name != "partners"}
    initial["secure_email_domains"] = "\n".join(la_settings.secure_email_domains)
    initial["partners"] = list(la_settings.partners.values_list("pk", flat=True))
    return initial


@transaction.atomic
def recipients_update(*, request, la, data) -> dict:
    """Store the recipients and letters settings from a valid RecipientsForm's `data`, audited with
    their before and after. Returns the changes (empty when nothing changed: nothing is recorded)."""
    la_settings = LocalAuthoritySettings.for_la(la)
    la_settings = LocalAuthoritySettings.objects.select_for_update().get(pk=la_settings.pk)
    before = snapshot(la_settings, RECIPIENT_FIELDS)
    for name in RECIPIENT_FIELDS:
        if name != "partners":
            setattr(la_settings, name, data[name])
    # Only these columns: the other settings pages (letterhead, wording, timings) keep theirs.
    la_settings.save(update_fields=[name for name in RECIPIENT_FIELDS if name != "partners"] + ["updated_at"])
    la_settings.partners.set(data["partners"])
    changes = changes_between(before, snapshot(la_settings, RECIPIENT_FIELDS))
    if changes:
        settings_change_record(
            request=request,
            organisation=la,
            summary="Changed the recipients and letters settings",
            changes=changes,
            obj=la_settings,
        )
    return changes
