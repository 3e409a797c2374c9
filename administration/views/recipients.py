"""The LA's recipients and letters settings page."""

from django.contrib import messages
from django.shortcuts import redirect, render

from ehc.models import LocalAuthoritySettings

from ..access import LA, administrator_required
from ..recipients import RecipientsForm, recipients_initial, recipients_update
from ..sections import sections_for


@administrator_required(LA)
def recipients(request):
    la = request.user.organisation
    la_settings = LocalAuthoritySettings.for_la(la)
    if request.method == "POST":
        form = RecipientsForm(request.POST, la_settings=la_settings)
        if form.is_valid():
            changes = recipients_update(request=request, la=la, data=form.cleaned_data)
            messages.success(
                request, "Recipients and letters settings saved" if changes else "Nothing changed: nothing was saved"
            )
            return redirect("administration:recipients")
    else:
        form = RecipientsForm(initial=recipients_initial(la_settings), la_settings=la_settings)
    return render(
        request,
        "administration/recipients.html",
        {
            "organisation": la,
            "sections": sections_for(la),
            "form": form,
            "dco_office_email": la_settings.dco_office_email,
            "icb": la.icb,
        },
    )
