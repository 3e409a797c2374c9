"""Acknowledging several requests on one page: each request keeps its own questions (the same
AcknowledgeForm as alone, with a prefix), one submit, all or nothing (decision 0035)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ehc.access import can_act_as_spoc
from ehc.decorators import role_required
from ehc.models import OrganisationKind, Role, Team

from .. import services
from ..access import visible_advice_requests
from ..ack_forms import AcknowledgeForm
from .common import _apply_error
from .queues import ACKNOWLEDGE

AT_ONCE = services.ACKNOWLEDGE_AT_ONCE
# The session's note of the requests the user last acknowledged together, for the confirmation page.
DONE_KEY = "advice_acknowledged_several"


def _selected(values) -> list[int]:
    """The selected request ids, in the order given, once each. Anything not an id was not sent by our
    page: the same 404 as a request the user may not see."""
    ids = []
    for value in values:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise Http404 from None
        if pk not in ids:
            ids.append(pk)
    return ids


def _error_summary(forms) -> list[tuple[str, str]]:
    """Every error of every request's form, each named by its request and linked to its field (a radio
    group to its first radio, as templates/includes/error_summary.html links them)."""
    found = []
    for form in forms:
        reference = form.advice_request.case.reference
        found += [(f"#request-{form.advice_request.pk}", f"{reference}: {error}") for error in form.non_field_errors()]
        for field in form:
            radio = getattr(field.field.widget, "input_type", "") == "radio"
            found += [(f"#{field.auto_id}{'_1' if radio else ''}", f"{reference}: {error}") for error in field.errors]
    return found


@role_required(Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_http_methods(["GET", "POST"])
def acknowledge_several(request):
    """GET with the queue's ticked `request` ids shows their forms; POST saves all of them or none."""
    provider = request.user.organisation
    if not can_act_as_spoc(request.user, provider):
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    ids = _selected(data.getlist("request"))
    if not ids or len(ids) > AT_ONCE:
        # Not from the queue's own form (the queue checks its ticks first): the queue says what is wrong,
        # with the same boxes ticked.
        query = urlencode([(ACKNOWLEDGE, "yes"), *(("request", pk) for pk in ids)])
        return redirect(f"{reverse('advice:spoc_queue')}?{query}")
    found = {
        advice_request.pk: advice_request
        for advice_request in visible_advice_requests(request.user)
        .filter(pk__in=ids, provider_id=provider.pk)
        .select_related("case__child", "provider", "local_authority")
        .prefetch_related("items__team")
    }
    if len(found) != len(ids):
        # Another provider's request, or none at all: as a missing page, whichever it was.
        raise Http404
    chosen = [found[pk] for pk in ids]
    already = [advice_request for advice_request in chosen if advice_request.is_acknowledged]
    if request.method == "GET" and already:
        references = ", ".join(advice_request.case.reference for advice_request in already)
        messages.error(request, f"Already acknowledged: {references}. Select the requests to acknowledge again")
        return redirect("advice:spoc_queue")
    teams = list(Team.objects.filter(provider_id=provider.pk, is_active=True))
    posted = request.POST if request.method == "POST" else None
    forms = [
        AcknowledgeForm(posted, advice_request=each, provider_teams=teams, prefix=f"request-{each.pk}")
        for each in chosen
    ]
    if request.method == "POST":
        valid = all([form.is_valid() for form in forms])  # every form validated, for every error at once
        for form in forms:
            if form.advice_request.is_acknowledged:
                form.add_error(None, "Someone else acknowledged this request meanwhile: nothing has been saved")
                valid = False
        if valid:
            try:
                done = services.advice_acknowledge_several(
                    acknowledgements=[
                        services.Acknowledgement(form.advice_request, form.answers(), form.cleaned_data["note"])
                        for form in forms
                    ],
                    user=request.user,
                )
            except services.SeveralAcknowledgeError as error:
                refused = next(form for form in forms if form.advice_request.pk == error.advice_request.pk)
                _apply_error(refused, error)
            else:
                # Post/redirect/get: the confirmation reads the ids from the session, never the URL.
                request.session[DONE_KEY] = [advice_request.pk for advice_request in done]
                return redirect("advice:acknowledged_several")
    errors = _error_summary(forms) if request.method == "POST" else []
    return render(
        request,
        "advice/acknowledge_several.html",
        {"forms": forms, "errors": errors, "provider": provider, "at_once": AT_ONCE},
    )


def _done_ids(value) -> list[int]:
    """The session's ids, or none at all if it holds anything else (a session from an older release)."""
    if not isinstance(value, list) or not all(type(pk) is int for pk in value):
        return []
    return value[:AT_ONCE]


@role_required(Role.SPOC, org_kind=OrganisationKind.HEALTH_PROVIDER)
@require_GET
def acknowledged_several(request):
    """The confirmation after acknowledging several: each request's reference, linked to it. The ids
    come from the user's own session, and are read again through what the user may see now (a role or
    a deputy's grant taken away since, another provider's id): nothing in the address can name a
    request. With nothing to confirm (a bookmark, a new session), the queue."""
    provider = request.user.organisation
    if not can_act_as_spoc(request.user, provider):
        raise Http404
    ids = _done_ids(request.session.get(DONE_KEY))
    found = {
        advice_request.pk: advice_request
        for advice_request in visible_advice_requests(request.user)
        .filter(pk__in=ids, provider_id=provider.pk, acknowledged_at__isnull=False)
        .select_related("case", "local_authority")
    }
    done = [found[pk] for pk in ids if pk in found]
    if not done:
        return redirect("advice:spoc_queue")
    return render(request, "advice/acknowledged_several.html", {"done": done, "provider": provider})
