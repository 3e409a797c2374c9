"""Every error message a user can see is in the product's own words: none of Django's defaults
("This field is required.", "Select a valid choice. ...", "Ensure this value has at most ...")
reaches a page. GOV.UK's pattern says what to do about the one field ("Enter the child's first
name"), without a full stop, so a default that slips through reads unlike every message beside it.

The check reads each form class's declared fields: the messages each can raise (required, invalid,
invalid choice, length) are compared with Django's own for that field class and validator.
"""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.core import validators

from ehc.text import possessive

PACKAGES = ["ehc", "assessments", "advice", "escalation", "reviews", "reports", "administration", "api"]


def _project_forms():
    found = {}
    for package in PACKAGES:
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if any(part in module.name for part in (".migrations", ".management", ".localrun", "__main__")):
                continue
            loaded = importlib.import_module(module.name)
            for _, cls in inspect.getmembers(loaded, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__.startswith(f"{package}."):
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


# How Django's own messages begin (django/forms/fields.py, django/core/validators.py, Django 5.2).
DJANGO_WORDS = (
    "This field is required.",
    "Select a valid choice.",
    "Enter a valid",
    "Ensure this value",
    "Enter a list of values.",
    "is not a valid value.",
    "Enter a whole number.",
    "Enter a number.",
    "No file was submitted.",
    "The submitted file is empty.",
    "Upload a valid image.",
    "Please either submit a file or check the clear checkbox",
    "Enter a complete value.",
)


def _fields(form_class):
    """The fields as a page gets them: some forms set messages in __init__, on fields they inherit."""
    for args in ((), (None,)):
        try:
            return form_class(*args).fields
        except Exception:  # noqa: BLE001 - a form needing more than nothing: its declared fields
            continue
    return form_class.base_fields


def _defaults_reaching_users(name, form_class):
    problems = []
    for field_name, field in _fields(form_class).items():
        messages = dict(field.error_messages)
        for validator in field.validators:
            if isinstance(validator, (validators.MaxLengthValidator, validators.MinLengthValidator)):
                messages.setdefault(validator.code, validator.message)
        for key, message in messages.items():
            if any(words in str(message) for words in DJANGO_WORDS):
                problems.append(f"{name}.{field_name}: {key} is Django's {str(message)!r}")
    return problems


def test_no_form_shows_a_django_default_error_message():
    found = _project_forms()
    assert len(found) > 30, sorted(found)
    problems = [problem for name, cls in sorted(found.items()) for problem in _defaults_reaching_users(name, cls)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Community paediatrics", "Community paediatrics'"),
        ("Torbay Council", "Torbay Council's"),
        ("ST JAMES", "ST JAMES'"),
        ("", ""),
    ],
)
def test_a_name_ending_in_s_takes_the_apostrophe_alone(name, expected):
    assert possessive(name) == expected
