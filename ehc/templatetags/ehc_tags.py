from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from ehc import text

register = template.Library()

RAG_LABELS = {"red": "Late", "amber": "Due soon", "green": "On track", "done": "Done"}


@register.simple_tag
def rag_tag(rag: str):
    """A RAG status as a tag whose meaning is in its words, not only its colour."""
    return format_html('<strong class="govuk-tag app-rag app-rag--{}">{}</strong>', rag, RAG_LABELS.get(rag, rag))


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


@register.filter(needs_autoescape=True)
def possessive(value, autoescape=True):
    """{{ team.name|possessive }} item: "Community paediatrics' item", never "paediatrics's". The
    name is escaped where the template escapes; the apostrophe is the template's own text."""
    name = str(value or "").rstrip()
    ending = text.possessive(name)[len(name) :]
    return mark_safe((conditional_escape(name) if autoescape else name) + ending)


@register.simple_tag(takes_context=True)
def table_region(context):
    """An id for a table's caption, unique on the page however often a partial is included: the
    scrollable region around the table is labelled by it (aria-labelledby), so a screen reader
    announces "Overdue, region" when focus reaches a table that scrolls on a narrow screen. Counted
    on the request (a page is one request); a PDF, rendered without one, counts per template."""
    holder = context.get("request") or context.render_context
    count = getattr(holder, "ehc_table_regions", 0) + 1
    holder.ehc_table_regions = count
    return f"table-region-{count}"


@register.inclusion_tag("includes/saved_filters.html", takes_context=True)
def saved_filters(context, page):
    """The user's saved filters for this list, and a form to save the filters on screen (one query)."""
    from ehc.saved_filters import query_clean, saved_filters_for

    request = context["request"]
    current = query_clean(page, request.GET.urlencode())
    return {
        "page": page,
        "saved": saved_filters_for(user=request.user, page=page),
        "current": current,
        "path": request.path,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def sort_header(context, sort, key, label, numeric=False, cursors="after"):
    """A column header that sorts the list by its column: a link (no script) to the same address
    with `sort` set, the filters kept and the page cursor dropped. The sorted column carries
    aria-sort; each link says in words, for a screen reader, how the column is sorted and what
    following it does. `sort` is the page's ehc.sorting.Sort; `cursors` names the page's cursor
    parameters (comma-separated), all dropped: a new order starts each list from its top."""
    from ehc.sorting import SORT_PARAM

    query = context["request"].GET.copy()
    for name in cursors.split(","):
        query.pop(name, None)
    query.pop(SORT_PARAM, None)  # set again last, so each header's address reads filters then order
    active = sort.key.key == key
    descending_next = active and not sort.descending
    query[SORT_PARAM] = ("-" if descending_next else "") + key
    classes = "govuk-table__header app-sort-header" + (" govuk-table__header--numeric" if numeric else "")
    if active:
        direction = "descending" if sort.descending else "ascending"
        words = sort.key.descending_words if sort.descending else sort.key.ascending_words
        then = sort.key.ascending_words if sort.descending else sort.key.descending_words
        hidden = f", sorted {words}. Sort {then}"
        arrow = "\u25bc" if sort.descending else "\u25b2"
    else:
        direction, hidden, arrow = "none", ", not sorted. Sort by this column", ""
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a class="govuk-link app-sort-link" href="?{}">{}'
        '<span class="govuk-visually-hidden">{}</span>{}</a></th>',
        classes,
        direction,
        query.urlencode(),
        label,
        hidden,
        format_html(' <span aria-hidden="true">{}</span>', arrow) if arrow else "",
    )
