"""The case page's health advice section loads its own data: `assessments.views.case_detail` stays
unaware of advice beyond the items it already passes."""

from django import template
from django.utils import timezone

from ..forms import DraftCommentForm
from ..selectors import case_advice_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def advice_panel(context, case):
    user = context["request"].user
    panel = case_advice_panel(case=case, user=user, today=context.get("today") or timezone.localdate())
    panel.comment_form = DraftCommentForm(teams=panel.comment_teams) if panel.comments_open else None
    return panel
