"""The LA's timings: the form, the preview of what a change does to the open advice items, and the
confirmation that saves and applies it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from ehc.models import LocalAuthoritySettings

from ..access import LA, administrator_required
from ..reschedule import moves_grouped
from ..sections import sections_for
from ..timings import StaleTimings, TimingsForm, timings_change, timings_initial, timings_preview
from .closures import _moved, posted_values


@administrator_required(LA)
def timings(request):
    la = request.user.organisation
    context = {"organisation": la, "sections": sections_for(la)}
    if request.method != "POST":
        form = TimingsForm(initial=timings_initial(LocalAuthoritySettings.for_la(la)))
        return render(request, "administration/timings.html", {**context, "form": form})
    form = TimingsForm(request.POST)
    if not form.is_valid():
        return render(request, "administration/timings.html", {**context, "form": form})
    if "confirm" in request.POST:
        try:
            moved = timings_change(
                request=request, la=la, data=form.cleaned_data, version=request.POST.get("version", "")
            )
        except StaleTimings:
            messages.error(
                request,
                "The timings were changed since you checked the change: check what it does now before you confirm",
            )
        else:
            messages.success(request, f"Timings saved. {_moved(moved)}")
            return redirect("administration:timings")
    preview = timings_preview(la=la, data=form.cleaned_data)
    if not preview.changes:
        messages.success(request, "Nothing changed: nothing was saved")
        return redirect("administration:timings")
    return render(
        request,
        "administration/timings_preview.html",
        {
            **context,
            "preview": preview,
            "groups": moves_grouped(preview.moves),
            "count": len(preview.moves),
            "posted": [(key, value) for key, value in posted_values(request) if key != "version"],
            "today": timezone.localdate(),
        },
    )
