"""What the SEN2 page asks: the collection year, its reference date, and the three LA-level items
the product does not hold (the DfE LA number, whether the LA has a DMO and a DCO)."""

import re

from django import forms

from ehc.forms import GovDateField

from .years import LATEST, YEARS

ANSWERS = [("", "Not given"), ("Y", "Yes"), ("N", "No")]


class Sen2Form(forms.Form):
    year = forms.TypedChoiceField(
        label="Collection year",
        coerce=int,
        choices=[(year, f"SEN2 {year} (reference date {YEARS[year].reference_date:%-d %B %Y})") for year in YEARS],
        required=False,
        error_messages={"invalid_choice": "Select a collection year from the list"},
    )
    reference_date = GovDateField(
        label="Reference date",
        not_future=False,
        required=False,
        help_text="Leave blank for the year's census date. Anything dated after it counts as not yet happened.",
    )
    lea = forms.CharField(
        label="DfE local authority number (optional)",
        max_length=10,
        required=False,
        help_text="3 digits. The return needs it; this product does not store it.",
    )
    dmo = forms.ChoiceField(
        label="Does the council have a Designated Medical Officer?", choices=ANSWERS, required=False
    )
    dco = forms.ChoiceField(
        label="Does the council have a Designated Clinical Officer?", choices=ANSWERS, required=False
    )

    def clean_lea(self):
        value = self.cleaned_data["lea"].strip()
        if value and not re.fullmatch(r"[0-9]{3}", value):
            raise forms.ValidationError("Enter the DfE local authority number as 3 digits, like 880")
        return value

    def clean(self):
        data = super().clean()
        year = YEARS[data.get("year") or LATEST]
        data["definition"] = year
        reference_date = data.get("reference_date")
        if reference_date is None:
            data["reference_date"] = year.reference_date
        elif reference_date.year != year.year:
            self.add_error("reference_date", f"The reference date must be in {year.year}, the collection year")
        return data
