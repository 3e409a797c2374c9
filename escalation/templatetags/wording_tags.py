"""`{% wording "chase_email" "text" %}`: an email's editable paragraphs, in the LA's wording snapshotted
with the email's context (the product's own wording for an email queued without one)."""

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join

from ..wording import DEFAULTS, wording_html, wording_text
from ..wording.placeholders import email_values

register = template.Library()


def _due_lines(teams):
    return [
        (
            date_format(team["due_on"], "j F Y"),
            team["days_overdue"],
            "" if team["days_overdue"] == 1 else "s",
        )
        for team in teams or ()
    ]


@register.simple_tag(takes_context=True)
def wording(context, kind, mode):
    values = context.flatten()
    text = (values.get("wording") or {}).get("text") or DEFAULTS[kind]
    lines = _due_lines(values.get("teams"))
    blocks = {
        "teams_list": (
            "\n".join(f"- advice due {due}, {days} day{s} overdue" for due, days, s in lines),
            format_html(
                "<ul>\n{}</ul>",
                format_html_join("", "<li>advice due {}, {} day{} overdue</li>\n", lines),
            ),
        )
    }
    filled = email_values(kind, values)
    if mode == "text":
        return wording_text(text, filled, blocks)
    return wording_html(text, filled, blocks)
