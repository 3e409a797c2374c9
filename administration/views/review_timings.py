"""The LA's annual review settings page."""

from django.contrib import messages
from django.shortcuts import redirect, render

from ehc.models import LocalAuthoritySettings

from ..access import LA, administrator_required
from ..review_timings import ReviewTimingsForm, review_timings_change, review_timings_initial
from ..sections import sections_for


@administrator_required(LA)
def review_timings(request):
    la = request.user.organisation
    if request.method == "POST":
        form = ReviewTimingsForm(request.POST)
        if form.is_valid():
            changes = review_timings_change(request=request, la=la, data=form.cleaned_data)
            messages.success(
                request, "Annual review settings saved" if changes else "Nothing changed: nothing was saved"
            )
            return redirect("administration:review_timings")
    else:
        form = ReviewTimingsForm(initial=review_timings_initial(LocalAuthoritySettings.for_la(la)))
    return render(
        request,
        "administration/review_timings.html",
        {"organisation": la, "sections": sections_for(la), "form": form},
    )
