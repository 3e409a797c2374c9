"""Django's own error messages, said in the product's words, for any field that does not say its own.

Every form here names its messages per field ("Enter the child's first name"); these are the
fallback for what a field does not name: a choice that is not on the list (a page left open while
the list changed, or a hand-edited request), a length limit, an email address or a number in the
wrong shape. Django's defaults ("Select a valid choice. 7 is not one of the available choices.")
read unlike every message beside them, echo back what was sent, and end with a full stop that the
GOV.UK error summary does not use. Set once, as the app starts, before any form class is built
(tests/ehc/test_own_words.py checks every form's fields).
"""

from django import forms

CHOOSE_FROM_LIST = "Select one of the options shown"
CHOOSE_ONLY_FROM_LIST = "Select only the options shown"

PRODUCT_MESSAGES = {
    forms.Field: {
        "required": "Answer this question",
        "max_length": "Enter %(limit_value)d characters or fewer (you entered %(show_value)d)",
        "min_length": "Enter at least %(limit_value)d characters (you entered %(show_value)d)",
    },
    forms.CharField: {},
    forms.EmailField: {"invalid": "Enter an email address in the correct format, like name@example.com"},
    forms.URLField: {"invalid": "Enter a web address in the correct format, like https://www.example.com"},
    forms.IntegerField: {
        "invalid": "Enter a whole number",
        "max_value": "Enter a number no more than %(limit_value)s",
        "min_value": "Enter a number no less than %(limit_value)s",
    },
    forms.DateField: {"invalid": "Enter a real date"},
    forms.ChoiceField: {"invalid_choice": CHOOSE_FROM_LIST},
    forms.TypedChoiceField: {"invalid_choice": CHOOSE_FROM_LIST},
    forms.MultipleChoiceField: {"invalid_choice": CHOOSE_ONLY_FROM_LIST, "invalid_list": CHOOSE_ONLY_FROM_LIST},
    forms.ModelChoiceField: {"invalid_choice": CHOOSE_FROM_LIST},
    forms.ModelMultipleChoiceField: {
        "invalid_choice": CHOOSE_ONLY_FROM_LIST,
        "invalid_list": CHOOSE_ONLY_FROM_LIST,
        "invalid_pk_value": CHOOSE_ONLY_FROM_LIST,
    },
    forms.MultiValueField: {
        "invalid": "Answer every part of this question",
        "incomplete": "Answer every part of this question",
    },
    forms.BooleanField: {"required": "Select the box to continue"},
    forms.FileField: {
        "invalid": "The file could not be read: choose it again",
        "missing": "Choose a file",
        "empty": "The selected file is empty",
        "contradiction": "Either choose a file or remove the one shown, not both",
        "max_length": "The file name must be %(max)d characters or fewer (it has %(length)d)",
    },
    forms.ImageField: {"invalid_image": "The selected file must be a PNG or JPEG image"},
}


def product_messages_install():
    """Django builds a field's messages from its classes' `default_error_messages` when the field
    is made, so this runs in `EhcConfig.ready()`, before the project's forms are imported."""
    for field_class, messages in PRODUCT_MESSAGES.items():
        # Each class's own dict: a subclass's copy would otherwise be shared with Field's.
        own = dict(field_class.__dict__.get("default_error_messages", {}))
        own.update(messages)
        field_class.default_error_messages = own
