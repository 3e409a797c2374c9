"""What the advice pages read of the LA's quality check."""

from ..models import AdviceReturn, ItemStatus
from .models import QualityCheck


def current_return_unchecked(item):
    """The item's advice as it is now, if returned and not yet accepted or sent back; else None."""
    if item.status != ItemStatus.RETURNED:
        return None
    try:
        current = item.advice_return
    except AdviceReturn.DoesNotExist:
        return None
    if QualityCheck.objects.filter(advice_return=current).exists():
        return None
    return current
