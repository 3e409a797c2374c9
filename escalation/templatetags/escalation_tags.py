from django import template
from django.utils import timezone

from escalation.selectors import case_escalations as select_case_escalations

register = template.Library()


@register.simple_tag
def case_escalations(case, user):
    """`{% case_escalations case user as escalation %}`: the case page's chases, letters, responses and
    stage history, as far as `user` may see them."""
    return select_case_escalations(case=case, user=user, today=timezone.localdate())
