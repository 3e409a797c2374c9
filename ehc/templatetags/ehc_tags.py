from django import template
from django.utils.html import format_html

register = template.Library()

RAG_LABELS = {"red": "Late", "amber": "Due soon", "green": "On track", "done": "Done"}


@register.simple_tag
def rag_tag(rag: str):
    """A RAG status as a tag whose meaning is in its words, not only its colour."""
    return format_html(
        '<strong class="govuk-tag app-rag app-rag--{}">{}</strong>', rag, RAG_LABELS.get(rag, rag)
    )


@register.simple_tag
def step_rag(step, today):
    return rag_tag(step.rag(today))


@register.simple_tag
def case_rag(case, today):
    return rag_tag(case.rag(today))


@register.simple_tag
def days_overdue(item, today):
    return item.days_overdue(today)


@register.filter
def lines(value):
    return [line for line in (value or "").splitlines() if line.strip()]
