"""Values as an administrator reads them, for the settings history's before and after."""

from django.db import models


def shown_value(obj, field: models.Field) -> str:
    """One field's value as the settings pages show it."""
    if isinstance(field, models.ManyToManyField):
        return ", ".join(sorted(str(related) for related in getattr(obj, field.name).all()))
    value = getattr(obj, field.name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(part) for part in value)
    if isinstance(field, models.FileField):
        return value.name or ""
    if isinstance(field, models.TimeField):
        return value.strftime("%H:%M")
    if isinstance(field, models.DateField):
        return value.strftime("%-d %B %Y")
    return str(value)


def snapshot(obj, names, labels=None) -> dict:
    """{field label: value shown} for the named fields of a model instance; `labels` ({name: label})
    names a field as its settings page does where the model's verbose name would not."""
    found = {}
    for name in names:
        field = obj._meta.get_field(name)
        label = (labels or {}).get(name) or str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:]
        found[label] = shown_value(obj, field)
    return found
