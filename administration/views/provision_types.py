"""The LA's types of provision (administration.provision_types): the list with a form to add one,
and a page to change one (rename, reorder, retire or bring back)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from advice.provision import ProvisionType

from ..access import LA, administrator_required
from ..provision_types import ProvisionTypeForm, provision_type_save, provision_types_list
from ..sections import sections_for


@administrator_required(LA)
def provision_types(request):
    la = request.user.organisation
    form = ProvisionTypeForm(request.POST or None, la=la)
    if request.method == "POST" and form.is_valid():
        row = provision_type_save(request=request, la=la, data=form.cleaned_data)
        if row is None:
            form.add_error("name", "There is already a type of provision with this name")
        else:
            messages.success(request, f"Type of provision added: {row.name}")
            return redirect("administration:provision_types")
    return render(
        request,
        "administration/provision_types.html",
        {"organisation": la, "sections": sections_for(la), "form": form, "types": provision_types_list(la)},
    )


@administrator_required(LA)
def provision_type_change(request, pk):
    la = request.user.organisation
    row = get_object_or_404(ProvisionType, pk=pk, local_authority=la)
    initial = {"name": row.name, "position": row.position, "is_active": row.is_active}
    form = ProvisionTypeForm(request.POST or None, la=la, instance=row, initial=initial)
    if request.method == "POST" and form.is_valid():
        if provision_type_save(request=request, la=la, data=form.cleaned_data, instance=row) is None:
            form.add_error("name", "There is already a type of provision with this name")
        else:
            messages.success(request, f"Type of provision saved: {form.cleaned_data['name']}")
            return redirect("administration:provision_types")
    return render(
        request,
        "administration/provision_type_change.html",
        {"organisation": la, "sections": sections_for(la), "form": form, "row": row},
    )
