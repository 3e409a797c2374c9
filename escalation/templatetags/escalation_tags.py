from django import template
from django.utils import timezone

from escalation.selectors import case_escalations as select_case_escalations

register = template.Library()


@register.simple_tag(takes_context=True)
def case_escalations(context, case, user):
    """`{% case_escalations case user as escalation %}`: the case page's chases, letters, responses and
    stage history, as far as `user` may see them: what the view passed as `case_escalations`, or
    loaded here."""
    shown = context.get("case_escalations")
    if shown is not None:
        return shown
    return select_case_escalations(case=case, user=user, today=timezone.localdate())
