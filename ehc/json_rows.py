"""Short lists carried inside one row as JSON arrays and turned back into model instances: a page
that shows a dozen short lists reads them in its main row's query, whatever they hold (issue 8, B6;
the case page, assessments.selectors.case_page_cases)."""

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.db.models.functions import JSONObject

USER_NAME = ("id", "first_name", "last_name", "username")  # what str(user) reads


def json_rows(queryset, *fields):
    """`ARRAY(SELECT jsonb_build_object(...))` over `queryset`, in its order. Fields may follow
    relations ('team__name'): `as_instances` rebuilds the related instance from them."""
    return ArraySubquery(queryset.values(row=JSONObject(**{field: field for field in fields})))


def related_fields(name, *fields):
    return [f"{name}__{field}" for field in fields]


def _instance(model, row):
    own, related = {}, {}
    extra = {}
    for key, value in row.items():
        name, _, rest = key.partition("__")
        if rest:
            related.setdefault(name, {})[rest] = value
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            extra[name] = value
            continue
        own[field.attname] = field.to_python(value)
    # from_db takes the values in the model's field order (jsonb keeps its keys in its own order).
    names = [field.attname for field in model._meta.concrete_fields if field.attname in own]
    instance = model.from_db(DEFAULT_DB_ALIAS, names, [own[name] for name in names])
    for name, values in related.items():
        field = model._meta.get_field(name)
        found = any(value is not None for value in values.values())  # nulls only: a LEFT JOIN found nothing
        # Cached, None too, as select_related leaves it: reading it (`escalation.letter`) makes no query.
        field.set_cached_value(instance, _instance(field.related_model, values) if found else None)
    for name, value in extra.items():
        setattr(instance, name, value)
    return instance


def as_instances(model, rows) -> list:
    """Model instances from `json_rows` rows, each field back in its own type (dates, datetimes),
    related instances cached as select_related leaves them: reading them makes no query."""
    return [_instance(model, row) for row in rows or []]


def concrete_fields(model):
    return [field.attname for field in model._meta.concrete_fields]
