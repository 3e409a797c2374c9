"""The LA administrator's caseload import pages: upload a file, read its dry run (errors by row and
column, or what it will do and which items the timers act on at once), confirm, watch it import. The
work runs in tasks on the stored upload (services); these pages only start it and show it, refreshing
themselves while it runs (a meta refresh: no JavaScript needed)."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ..access import LA, administrator_required
from ..models import CaseloadUpload, UploadStatus
from ..sections import sections_for
from .read import MAX_BYTES
from .services import progress_get, upload_create, upload_import_start
from .template_file import template_csv, template_xlsx

REFRESH_SECONDS = 2


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Caseload file (CSV or Excel .xlsx)",
        help_text="One row per team asked for advice, in the template's columns. Nothing is saved until you "
        "have seen the check and confirmed.",
        error_messages={"required": "Choose the caseload file", "empty": "The chosen file is empty"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a CSV or an Excel workbook (.xlsx)")
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {MAX_BYTES // 1_000_000} MB")
        return upload


@administrator_required(LA)
@require_http_methods(["GET", "POST"])
def caseload(request):
    la = request.user.organisation
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        created = upload_create(la=la, user=request.user, filename=upload.name, data=upload.read(MAX_BYTES + 1))
        return redirect("administration:caseload_upload", pk=created.pk)
    uploads = CaseloadUpload.objects.filter(local_authority=la).select_related("uploaded_by").defer("content")[:10]
    return render(
        request,
        "administration/caseload/upload.html",
        {"organisation": la, "sections": sections_for(la), "form": form, "uploads": uploads},
    )


@administrator_required(LA)
@require_http_methods(["GET", "POST"])
def caseload_upload(request, pk):
    la = request.user.organisation
    upload = get_object_or_404(CaseloadUpload.objects.defer("content"), pk=pk, local_authority=la)
    if request.method == "POST":
        if upload_import_start(upload=upload, user=request.user):
            messages.success(request, "Import started")
        elif upload.status != UploadStatus.IMPORTING:
            messages.error(request, "This file cannot be imported now: upload it again")
        return redirect("administration:caseload_upload", pk=upload.pk)
    report = upload.report or {}
    errors = sorted(report.get("errors", []), key=lambda error: (error[0], error[1]))
    return render(
        request,
        "administration/caseload/detail.html",
        {
            "organisation": la,
            "sections": sections_for(la),
            "upload": upload,
            "report": report,
            "errors": errors,
            "counts": report.get("counts", {}),
            "progress": progress_get(upload.pk) if upload.status == UploadStatus.IMPORTING else None,
            "refresh": REFRESH_SECONDS if upload.is_working else None,
        },
    )


def _download(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@administrator_required(LA)
@require_GET
def caseload_template_xlsx(request):
    return _download(
        template_xlsx(),
        "caseload-template.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@administrator_required(LA)
@require_GET
def caseload_template_csv(request):
    return _download(template_csv(), "caseload-template.csv", "text/csv; charset=utf-8")
