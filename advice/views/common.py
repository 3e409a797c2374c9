"""What the advice pages share: finding the case or item the user may see, showing a refusal."""

from django.http import Http404

from assessments.access import visible_cases
from ehc.access import get_visible_or_404

from .. import selectors, services
from ..access import advice_items_for

LA_EDITORS = selectors.LA_EDITORS


def _apply_error(form, error: services.AdviceError):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _own_case_or_404(request, case_pk):
    case = get_visible_or_404(visible_cases(request.user), request, pk=case_pk)
    if case.local_authority_id != request.user.organisation_id:
        raise Http404
    return case


def _item_or_404(request, pk):
    return get_visible_or_404(
        advice_items_for(request.user).select_related(
            "team", "provider", "case__child", "request", "local_authority", "advice_return", "returned_by", "review"
        ),
        request,
        pk=pk,
    )


def _page_links(request, key, page, count=None):
    """Links for one keyset-paginated list on a page that has several: only `key` moves."""
    following = first = None
    if page.next_cursor:
        query = request.GET.copy()
        query[key] = page.next_cursor
        following = f"?{query.urlencode()}"
    if page.has_previous:
        query = request.GET.copy()
        query.pop(key, None)
        first = f"?{query.urlencode()}"
    return {"page": page, "next_url": following, "first_url": first, "count": count}
