"""A JSON or multipart body as the pages' forms read a POST: the API checks its input with the very
forms the pages use (the upload checks of advice.uploads among them), so no rule is written twice.
A date is sent as YYYY-MM-DD and handed to the form's day, month and year boxes."""

import re

from django.forms import FileField, MultiValueField
from django.utils.datastructures import MultiValueDict

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class FormInputError(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def form_for(form_class, request, **kwargs):
    data, files, errors = {}, {}, {}
    for name, field in form_class.base_fields.items():
        if isinstance(field, FileField):
            if name in request.FILES:
                # Several under one name where the form takes several (a return's documents).
                several = getattr(field.widget, "allow_multiple_selected", False)
                files[name] = request.FILES.getlist(name) if several else request.FILES[name]
            elif request.data.get(name) not in (None, ""):
                errors[name] = [f"Send {name} as a file in a multipart/form-data body"]
            continue
        if name not in request.data:
            continue
        value = request.data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = [f"{name} must be text"]
            continue
        if isinstance(field, MultiValueField):
            match = ISO_DATE.match(value.strip())
            if match is None:
                errors[name] = [f"{name} must be a date like 2026-12-07"]
                continue
            year, month, day = match.groups()
            data.update({f"{name}_0": day, f"{name}_1": month, f"{name}_2": year})
        else:
            data[name] = value
    if errors:
        raise FormInputError(errors)
    files = MultiValueDict({name: value if isinstance(value, list) else [value] for name, value in files.items()})
    return form_class(data, files, **kwargs)
