"""Form fields the administration's pages share, with GOV.UK error messages."""

from django import forms


def _lower(label):
    """'Team name' -> 'team name'; 'SPOC mailbox' stays as it is."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def name_field(label, *, required=True, max_length=200, help_text=""):
    lower = _lower(label)
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        error_messages={
            "required": f"Enter {lower}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


def email_field(label, *, required=True, help_text=""):
    lower = _lower(label)
    return forms.EmailField(
        label=label,
        required=required,
        max_length=254,
        help_text=help_text,
        error_messages={
            "required": f"Enter {lower}",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": f"{label} must be 254 characters or fewer",
        },
    )
