from django import template

from ehc.templatetags.ehc_tags import rag_tag

from ..identifiers import nhs_number_display
from ..timeline import rag_status

register = template.Library()


@register.simple_tag
def date_rag(due, today):
    """The RAG of one open deadline: late once past, due soon within two weeks."""
    return rag_tag(rag_status(due, None, today))


@register.filter
def nhs_number(value):
    """Every page shows an NHS number grouped 3-3-4, the way it is printed on NHS letters."""
    return nhs_number_display(value)
