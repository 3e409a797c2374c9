"""Reading the pages the simulated users get: the links to follow and the forms to post.

A form is posted as a browser would: every field the page gave (the CSRF token, hidden fields,
defaults, the checked radios), the journey's own values on top, and the first choice of any radio
group the page left unchecked.
"""

import re

import lxml.html

TEXT_TYPES = {"text", "number", "email", "tel", "search", "hidden", "url", "password"}


class PageError(Exception):
    """The page did not hold what the journey needs (a form, a link): the journey is reported failed."""


def ids(pattern, html):
    """The ids captured by `pattern` (a regex with one group), in page order, without repeats."""
    return list(dict.fromkeys(int(found) for found in re.findall(pattern, html)))


def form_values(html, *, field):
    """The form holding a field named `field`: (its action or None, {name: [values]}).

    Radio groups without a checked radio get their first value; file inputs are left to the caller.
    """
    document = lxml.html.fromstring(html)
    for form in document.forms:
        if field not in form.fields.keys() and not form.xpath(f".//*[@name='{field}']"):
            continue
        values = {}
        for name, value in form.form_values():
            values.setdefault(name, []).append(value)
        for element in form.inputs:
            name = element.get("name")
            if not name or name in values:
                continue
            if element.tag == "input" and element.get("type") == "radio":
                values[name] = [element.get("value")]
            elif element.tag == "input" and element.get("type", "text") in TEXT_TYPES:
                values[name] = [""]  # an empty box (lxml leaves out an input without a value)
        return form.get("action") or None, values
    raise PageError(f"no form with a field {field!r} on the page")


def names_starting(values, prefix):
    return sorted(name for name in values if name.startswith(prefix))


def set_date(values, prefix, day):
    """A GOV.UK date input: its three boxes (day, month, year) named <prefix>_0, _1, _2 or similar."""
    names = names_starting(values, prefix)
    if len(names) != 3:
        raise PageError(f"no day, month and year boxes for {prefix!r}: {names}")
    for name, part in zip(names, (day.day, day.month, day.year), strict=True):
        values[name] = [str(part)]
