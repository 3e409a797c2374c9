"""The caseload move (assessments.caseloads): choose whose open cases go to whom, confirm, done.
The council's administrator or SEND manager; no child is named on either page."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ehc.decorators import role_required
from ehc.models import OrganisationKind, Role

from .caseloads import CaseloadError, caseload_reassign, officers_with_open_cases, open_cases_of
from .forms import case_officers

MOVERS = (Role.ADMINISTRATOR, Role.SEND_MANAGER)


class _Officer(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.username
        count = getattr(obj, "open_count", None)
        if count is not None:
            name += f" ({count} open case{'' if count == 1 else 's'}{'' if obj.is_active else ', deactivated'})"
        return name


class CaseloadMoveForm(forms.Form):
    from_officer = _Officer(
        label="Move the open cases of",
        queryset=None,
        empty_label="Choose a case officer",
        error_messages={
            "required": "Select the case officer whose cases are to move",
            "invalid_choice": "Select a case officer from the list: that one holds no open cases now",
        },
    )
    to_officer = _Officer(
        label="To",
        queryset=None,
        empty_label="Choose a case officer",
        error_messages={
            "required": "Select the case officer to move the cases to",
            "invalid_choice": "Select an active case officer from the list",
        },
    )

    def __init__(self, *args, local_authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_officer"].queryset = officers_with_open_cases(local_authority=local_authority)
        self.fields["to_officer"].queryset = case_officers(local_authority)

    def clean(self):
        data = super().clean()
        if data.get("from_officer") and data.get("to_officer") and data["from_officer"] == data["to_officer"]:
            self.add_error("to_officer", "Choose a different case officer to move the cases to")
        return data


@role_required(*MOVERS, org_kind=OrganisationKind.LOCAL_AUTHORITY)
@require_http_methods(["GET", "POST"])
def caseload_move(request):
    local_authority = request.user.organisation
    form = CaseloadMoveForm(request.POST or None, local_authority=local_authority)
    if request.method == "POST" and form.is_valid():
        from_officer, to_officer = form.cleaned_data["from_officer"], form.cleaned_data["to_officer"]
        if request.POST.get("confirmed") != "yes":
            count = open_cases_of(local_authority=local_authority, officer=from_officer).count()
            return render(
                request,
                "assessments/caseload_move_confirm.html",
                {"form": form, "from_officer": from_officer, "to_officer": to_officer, "count": count},
            )
        try:
            moved = caseload_reassign(
                local_authority=local_authority, from_officer=from_officer, to_officer=to_officer, user=request.user
            )
        except CaseloadError as error:
            form.add_error("to_officer", str(error))
        else:
            messages.success(
                request,
                f"{moved} open case{'' if moved == 1 else 's'} moved from {from_officer.get_full_name()} "
                f"to {to_officer.get_full_name()}",
            )
            return redirect("assessments:caseload_move")
    return render(request, "assessments/caseload_move.html", {"form": form})
