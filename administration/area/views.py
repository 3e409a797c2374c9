"""The ICB administrator's pages: its area's LAs and each one's DCO/DMO office mailbox; and the LA
administrator's read-only view of its own. An LA outside the administrator's area is a 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ehc.models import LocalAuthoritySettings, Organisation, OrganisationKind

from ..access import ICB, LA, administrator_required
from ..sections import sections_for
from .forms import DcoOfficeForm
from .services import area_local_authorities, dco_office_email_change


def _page(request, template, **context):
    organisation = request.user.organisation
    return render(
        request,
        f"administration/area/{template}",
        {"organisation": organisation, "sections": sections_for(organisation), **context},
    )


@administrator_required(ICB)
@require_http_methods(["GET"])
def local_authorities(request):
    return _page(request, "local_authorities.html", local_authorities=area_local_authorities(request.user.organisation))


@administrator_required(ICB)
@require_http_methods(["GET", "POST"])
def dco_office(request, pk):
    icb = request.user.organisation
    local_authority = get_object_or_404(Organisation, pk=pk, icb=icb, kind=OrganisationKind.LOCAL_AUTHORITY)
    current = LocalAuthoritySettings.objects.filter(local_authority=local_authority).first()
    form = DcoOfficeForm(
        request.POST or None, initial={"dco_office_email": current.dco_office_email if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        changed = dco_office_email_change(
            request=request, icb=icb, local_authority=local_authority, email=form.cleaned_data["dco_office_email"]
        )
        messages.success(
            request,
            f"Saved the DCO/DMO office mailbox of {local_authority}" if changed else "Nothing was changed",
        )
        return redirect("administration:area")
    return _page(request, "dco_office.html", form=form, local_authority=local_authority)


@administrator_required(LA)
@require_http_methods(["GET"])
def la_dco_office(request):
    """The LA's own administrator reads the mailbox its ICB's administrator sets."""
    la = request.user.organisation
    current = LocalAuthoritySettings.objects.filter(local_authority=la).first()
    return _page(request, "la_dco_office.html", email=current.dco_office_email if current else "", icb=la.icb)
