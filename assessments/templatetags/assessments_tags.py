from django import template

from ehc.templatetags.ehc_tags import rag_tag

from ..timeline import rag_status

register = template.Library()


@register.simple_tag
def date_rag(due, today):
    """The RAG of one open deadline: late once past, due soon within two weeks."""
    return rag_tag(rag_status(due, None, today))
