"""The case page's health advice section: the panel the view passed as `advice_panel`, or loaded here."""

from django import template
from django.utils import timezone

from ..forms import DraftCommentForm
from ..selectors import case_advice_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def advice_panel(context, case):
    user = context["request"].user
    panel = context.get("advice_panel") or case_advice_panel(
        case=case, user=user, today=context.get("today") or timezone.localdate()
    )
    panel.comment_form = DraftCommentForm(teams=panel.comment_teams) if panel.comments_open else None
    return panel
