"""Text boxes say their limit, count down to it (GOV.UK character count), refuse longer text with a
message, and never cut it: no textarea carries the HTML maxlength that makes a browser drop, without
a word, whatever is typed or pasted past the limit."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms

from ehc.forms import CountedTextarea

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["ehc", "assessments", "advice", "escalation", "reviews", "reports", "administration"]


def _project_forms():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in module.name for part in (".migrations", ".management", ".localrun", ".demo")):
                continue
            importlib.import_module(module.name)
    seen, todo = set(), [forms.Form, forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [form for form in seen if form.__module__.split(".")[0] in APPS]


def test_every_text_box_of_every_form_counts_to_its_limit():
    boxes = [
        (form.__name__, name, field)
        for form in _project_forms()
        for name, field in form.base_fields.items()
        if isinstance(field.widget, forms.Textarea)
    ]
    assert len(boxes) > 25, boxes
    for form, name, field in boxes:
        assert isinstance(field.widget, CountedTextarea), f"{form}.{name}"
        assert field.max_length, f"{form}.{name} has no limit to count to"
        assert f"{field.max_length:,} characters or fewer" in field.error_messages["max_length"], f"{form}.{name}"


def test_no_form_builds_a_plain_textarea():
    """Fields added in a form's __init__ (the acknowledgement's reasons) are not in base_fields."""
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if re.search(r"forms\.Textarea\b", path.read_text()) and path != ROOT / "ehc" / "forms.py"
    ]
    assert offenders == []


def test_the_case_form_says_the_limit_and_refuses_longer_text_keeping_all_of_it(ours, login):
    client = login(ours.case_officer)
    page = client.get("/cases/new/").content.decode()
    box = re.search(r'<div class="govuk-character-count[^>]*>\s*<textarea[^>]*name="family_views"[^>]*>', page)
    assert box, "the family's views box is not a character count"
    assert 'data-module="govuk-character-count"' in box.group(0) and 'data-maxlength="5000"' in box.group(0)
    assert "maxlength=" not in re.sub(r"data-maxlength", "", box.group(0))
    assert 'aria-describedby="id_family_views_hint id_family_views-info"' in box.group(0)
    assert '<div id="id_family_views-info" class="govuk-hint govuk-character-count__message">' in page
    assert "You can enter up to 5,000 characters" in page
    assert not re.search(r"<textarea[^>]*\smaxlength=", page)

    typed = "The family say: " + "a" * 4990 + " END"
    response = client.post("/cases/new/", {"first_name": "Ada", "last_name": "Brook", "family_views": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The family&#x27;s views must be 5,000 characters or fewer" in body
    assert typed in body, "what was typed is shown back whole, to be shortened"


def test_no_input_of_any_form_carries_the_maxlength_that_cuts_what_is_typed():
    """Single-line boxes too: the form refuses a long value with a message, the browser never cuts it."""
    rendered, limited = 0, 0
    for form in _project_forms():
        for name, field in form.base_fields.items():
            if not isinstance(field.widget, forms.widgets.Input) or isinstance(field.widget, forms.FileInput):
                continue
            html = field.widget.render(name, "", attrs={"id": f"id_{name}", **field.widget_attrs(field.widget)})
            rendered += 1
            limited += bool(getattr(field, "max_length", None))
            assert not re.search(r"\smaxlength=", html), f"{form.__name__}.{name}: {html}"
    print(f"single-line boxes rendered: {rendered}, {limited} of them with a limit the form enforces")
    assert rendered > 50 and limited > 20


def test_a_name_longer_than_its_limit_is_refused_and_kept_whole(ours, login):
    client = login(ours.case_officer)
    page = client.get("/cases/new/").content.decode()
    first_name = re.search(r'<input[^>]*name="first_name"[^>]*>', page).group(0)
    assert "maxlength" not in first_name
    typed = "Siobhán-" + "x" * 200
    response = client.post("/cases/new/", {"first_name": typed, "last_name": "O'Neill"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert f'value="{typed}"' in body, "what was typed is shown back whole, to be shortened"
