"""The LA's review work lists page (/reviews/): one list at a time, chosen in the address
(`?list=decisions`), each row the case's reference and child, the review's dates and the next step
with its due date. The lists are `reviews.selectors`' definitions, counted side by side for the
links, and paged by keyset as the caseload is."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.views.decorators.http import require_GET

from ehc.access import LA_CASEWORK_ROLES
from ehc.decorators import role_required
from ehc.models import OrganisationKind, today_london

from . import selectors


@role_required(*LA_CASEWORK_ROLES, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_GET
def work_list(request):
    today = today_london()
    current = selectors.work_list_read(request.GET.get("list"))
    mine = request.GET.get("mine") == "on"
    sort = selectors.work_list_sort(request.GET.get("sort"), key=current.key)
    page = selectors.work_list_page(
        user=request.user, today=today, key=current.key, mine=mine, sort=sort, cursor=request.GET.get("after")
    )
    counts = selectors.work_list_counts(user=request.user, today=today, mine=mine)
    query = request.GET.copy()
    query.pop("after", None)
    keep = {"mine": "on"} if mine else {}
    return render(
        request,
        "reviews/work_list.html",
        {
            "today": today,
            "current": current,
            "lists": [
                {"list": work_list, "count": counts[work_list.key], "query": urlencode({"list": work_list.key, **keep})}
                for work_list in selectors.WORK_LISTS
            ],
            "mine": mine,
            "page": page,
            "sort": sort,
            "default_sort": sort.value == selectors.work_list_sort(None, key=current.key).value,
            "query": query.urlencode(),
        },
    )
