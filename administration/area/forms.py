from django import forms

from ..fields import email_field


class DcoOfficeForm(forms.Form):
    dco_office_email = email_field(
        "DCO/DMO office mailbox",
        help_text="Escalation 1 letters and escalation 2 notices for this council's cases are copied here.",
    )
