"""The LA's closure days: the list, adding one (with a preview when it moves open items) and
removing one (its confirmation page is the preview)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from ehc.models import ClosureDay

from ..access import LA, administrator_required
from ..closures import ClosureDayForm, closure_day_add, closure_day_remove, closure_moves
from ..reschedule import moves_grouped
from ..sections import sections_for


def _moved(count):
    return f"{count} open item{'s' if count != 1 else ''} moved {'their' if count != 1 else 'its'} next action"


def posted_values(request):
    """The form as posted, to post again from the preview (the CSRF token and the button aside)."""
    return [
        (key, value)
        for key, values in request.POST.lists()
        if key not in ("csrfmiddlewaretoken", "confirm")
        for value in values
    ]


@administrator_required(LA)
def closures(request):
    la = request.user.organisation
    context = {"organisation": la, "sections": sections_for(la)}
    if request.method == "POST":
        form = ClosureDayForm(request.POST, la=la)
        if form.is_valid():
            day, reason = form.cleaned_data["date"], form.cleaned_data["reason"]
            moves = closure_moves(la, add=day)
            if moves and "confirm" not in request.POST:
                return render(
                    request,
                    "administration/closure_preview.html",
                    {
                        **context,
                        "day": day,
                        "reason": reason,
                        "groups": moves_grouped(moves),
                        "count": len(moves),
                        "posted": posted_values(request),
                        "today": timezone.localdate(),
                    },
                )
            closure, moved = closure_day_add(request=request, la=la, date=day, reason=reason)
            if closure is None:
                messages.error(request, f"{day:%A %-d %B %Y} is already a closure day: nothing was added")
            else:
                messages.success(request, f"Closure day added: {day:%A %-d %B %Y}. {_moved(moved)}")
            return redirect("administration:closures")
    else:
        form = ClosureDayForm(la=la)
    today = timezone.localdate()
    days = ClosureDay.objects.filter(local_authority=la)
    return render(
        request,
        "administration/closures.html",
        {
            **context,
            "form": form,
            "upcoming": days.filter(date__gte=today).order_by("date"),
            "past": days.filter(date__lt=today).order_by("-date")[:20],
        },
    )


@administrator_required(LA)
def closure_remove(request, pk):
    la = request.user.organisation
    closure = get_object_or_404(ClosureDay, pk=pk, local_authority=la)
    today = timezone.localdate()
    if closure.date < today:
        messages.error(
            request,
            f"{closure.date:%A %-d %B %Y} has passed: a past closure day stays, as the timers were worked out with it",
        )
        return redirect("administration:closures")
    if request.method == "POST":
        moved = closure_day_remove(request=request, la=la, closure=closure)
        messages.success(request, f"Closure day removed: {closure.date:%A %-d %B %Y}. {_moved(moved)}")
        return redirect("administration:closures")
    moves = closure_moves(la, remove=closure.date)
    return render(
        request,
        "administration/closure_remove.html",
        {
            "organisation": la,
            "sections": sections_for(la),
            "closure": closure,
            "groups": moves_grouped(moves),
            "count": len(moves),
            "today": today,
        },
    )
