"""The rows of structured provision and outcomes on the return form (advice.provision): formsets that
work without JavaScript. "Add another" is a button that posts the form back with one more row (the
GOV.UK add-another pattern): nothing is saved, nothing typed is lost. Blank rows are dropped."""

from django import forms

from ehc.forms import CountedTextarea

from .provision import (
    OUTCOME_FIELDS,
    PROVISION_FIELDS,
    Availability,
    DurationUnit,
    Frequency,
    PfaDomain,
    Profession,
    Unit,
    provision_type_choices,
)

# The most rows one need's advice has room for; a posted count above it is refused, not obeyed.
MAX_ROWS = 30
ADD_ROW = "add_row"


def _choice(label, choices, blank="Select"):
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", blank), *choices],
        error_messages={"invalid_choice": f"Select {label[0].lower()}{label[1:]} from the list"},
    )


def _number(label, *, low, high, suffix=""):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "invalid": f"{label} must be a whole number",
            "min_value": f"{label} must be {low} or more",
            "max_value": f"{label} must be {high} or fewer{suffix}",
        },
    )


class ProvisionRowForm(forms.Form):
    need = forms.CharField(
        label="The need it meets",
        required=False,
        max_length=2000,
        widget=CountedTextarea(attrs={"rows": 2}),
        error_messages={"max_length": "The need it meets must be 2,000 characters or fewer"},
    )
    provision_type_id = forms.TypedChoiceField(
        label="Type of provision", required=False, coerce=int, empty_value=None, choices=()
    )
    quantity = _number("How many", low=1, high=999)
    unit = _choice("Of what", Unit.choices)
    session_minutes = _number("Minutes each (for sessions)", low=1, high=600)
    frequency = _choice("How often", Frequency.choices)
    profession = _choice("Who delivers", Profession.choices)
    setting_staff_may_deliver = forms.BooleanField(
        label="The setting's staff may deliver it under supervision", required=False
    )
    duration = _number("For how long", low=1, high=520)
    duration_unit = _choice("Weeks, months, terms or years", DurationUnit.choices)
    availability = _choice("Available locally now?", Availability.choices, blank="Not known")
    wait_weeks = _number("Expected wait in weeks (waiting list)", low=0, high=520)

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provision_type_id"].choices = [("", "Select a type"), *type_choices]
        self.fields["provision_type_id"].error_messages["invalid_choice"] = "Select a type of provision from the list"

    def clean(self):
        data = super().clean()
        if data.get("wait_weeks") is not None and data.get("availability") != Availability.WAITING_LIST:
            self.add_error(
                "wait_weeks", "Give an expected wait only for a waiting list: choose 'Waiting list' or clear the wait"
            )
        if data.get("duration") is not None and not data.get("duration_unit"):
            self.add_error("duration_unit", "Select weeks, months, terms or years for how long")
        if data.get("session_minutes") is not None and data.get("unit") not in ("", None, Unit.SESSIONS, Unit.VISITS):
            self.add_error("session_minutes", "Give minutes only for sessions or visits")
        return data

    def row(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PROVISION_FIELDS}


class OutcomeRowForm(forms.Form):
    domain = _choice("Preparing for adulthood domain", PfaDomain.choices)
    what = forms.CharField(
        label="What the child will do",
        required=False,
        max_length=2000,
        widget=CountedTextarea(attrs={"rows": 2}),
        error_messages={"max_length": "What the child will do must be 2,000 characters or fewer"},
    )
    by_when = forms.CharField(
        label="By when",
        required=False,
        max_length=200,
        help_text="For example, by the end of year 7",
        error_messages={"max_length": "By when must be 200 characters or fewer"},
    )
    how_we_know = forms.CharField(
        label="How we will know",
        required=False,
        max_length=2000,
        widget=CountedTextarea(attrs={"rows": 2}),
        error_messages={"max_length": "How we will know must be 2,000 characters or fewer"},
    )

    def row(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in OUTCOME_FIELDS}


ProvisionFormSet = forms.formset_factory(
    ProvisionRowForm, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
)
OutcomeFormSet = forms.formset_factory(
    OutcomeRowForm, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
)


def _blank(row: dict) -> bool:
    return not any(value not in (None, "", False) for value in row.values())


def _one_more(data, prefix):
    """The posted form with one more (blank) row of `prefix`: the add-another button's answer."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except (TypeError, ValueError):
        total = 0
    data[key] = str(min(total + 1, MAX_ROWS))
    return data


class RowSets:
    """The two formsets of a return form, bound or opened on `initial` rows (a draft's or a version's)."""

    def __init__(self, data, *, local_authority, initial: dict):
        if data is not None and any(f"{prefix}-TOTAL_FORMS" not in data for prefix in ("provision", "outcome")):
            # A post without the rows (the API, a page from before them): no rows, not an error.
            data = data.copy()
            for prefix in ("provision", "outcome"):
                if f"{prefix}-TOTAL_FORMS" not in data:
                    data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = "0"
        adding = data.get(ADD_ROW) if data is not None else None
        self.adding = adding in ("provision", "outcome")
        if self.adding:
            data = _one_more(data, adding)
        provision_initial = list(initial.get("provision_rows") or [])
        outcome_initial = list(initial.get("outcome_rows") or [])
        keep = [row.get("provision_type_id") for row in provision_initial]
        if data is not None:
            keep += [value for key, value in data.items() if key.endswith("-provision_type_id")]
        keep = [int(value) for value in keep if str(value or "").isdigit()]
        choices = provision_type_choices(local_authority, keep=keep)
        # A form opens with one blank row of each when it has none (bound forms carry their own count).
        self.provision = ProvisionFormSet(
            data,
            prefix="provision",
            initial=provision_initial or [{}],
            form_kwargs={"type_choices": choices},
        )
        self.outcomes = OutcomeFormSet(data, prefix="outcome", initial=outcome_initial or [{}])

    def errors(self) -> list[tuple[str, str]]:
        """(the field's id, the message) for the error summary, each naming its row."""
        found = []
        for label, formset in (("Provision", self.provision), ("Outcome", self.outcomes)):
            for message in formset.non_form_errors():
                found.append((f"id_{formset.prefix}-TOTAL_FORMS", f"{label} rows: {message}"))
            for number, form in enumerate(formset.forms, start=1):
                for name, messages in form.errors.items():
                    field = form[name] if name in form.fields else None
                    anchor = field.auto_id if field is not None else f"{formset.prefix}-{number}"
                    found.extend((anchor, f"{label} {number}: {message}") for message in messages)
        return found

    def is_valid(self) -> bool:
        # Both are checked (not short-circuited), so that every row's errors show at once.
        provision_ok, outcomes_ok = self.provision.is_valid(), self.outcomes.is_valid()
        return provision_ok and outcomes_ok

    def content(self) -> dict:
        return {
            "provision_rows": [row for row in (form.row() for form in self.provision.forms) if not _blank(row)],
            "outcome_rows": [row for row in (form.row() for form in self.outcomes.forms) if not _blank(row)],
        }
