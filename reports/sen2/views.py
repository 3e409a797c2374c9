"""The SEN2 page and its XML: the LA's SEND manager and business support, their own LA only.

Person-level data on every child of the LA: neither the ICB (the DCO sees figures, not the LA's
statutory return) nor case officers (need to know, decision 0014) get it; anyone else gets a 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ehc.audit import audit_record
from ehc.models import AuditAction, OrganisationKind, Role
from ehc.replica import replica_reads

from .build import build_return, return_cases
from .forms import Sen2Form
from .validate import validate_return
from .xml import return_xml, schema_errors

SEN2_ROLES = {Role.SEND_MANAGER, Role.BUSINESS_SUPPORT}
PERSON_LIST_LIMIT = 500


def can_make_sen2(user):
    org = user.organisation if user.is_authenticated else None
    return (
        user.is_active
        and org is not None
        and org.kind == OrganisationKind.LOCAL_AUTHORITY
        and user.has_role(*SEN2_ROLES)
    )


def sen2_access(view):
    @login_required
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_make_sen2(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _make(request, form):
    data = form.cleaned_data
    year = data["definition"]
    cases = return_cases(request.user, year=year, reference_date=data["reference_date"])
    sen2_return = build_return(
        cases=cases,
        year=year,
        reference_date=data["reference_date"],
        lea=data.get("lea", ""),
        dmo=data.get("dmo", ""),
        dco=data.get("dco", ""),
    )
    result = validate_return(sen2_return)
    document = return_xml(sen2_return, result)
    return sen2_return, result, document


@sen2_access
@replica_reads
def sen2_page(request):
    form = Sen2Form(request.GET)
    context = {"form": form, "title": "SEN2 return"}
    if form.is_valid():
        sen2_return, result, document = _make(request, form)
        errors = schema_errors(sen2_return.year, document)
        context.update(
            sen2=sen2_return,
            result=result,
            schema_errors=errors[:20],
            schema_error_count=len(errors),
            to_fix=result.to_fix[:PERSON_LIST_LIMIT],
            to_fix_more=max(0, len(result.to_fix) - PERSON_LIST_LIMIT),
            query=request.GET.urlencode(),
        )
    return render(request, "reports/sen2.html", context)


@sen2_access
@replica_reads
def sen2_xml(request):
    form = Sen2Form(request.GET)
    if not form.is_valid():
        raise Http404
    sen2_return, result, document = _make(request, form)
    valid = result.valid and not schema_errors(sen2_return.year, document)
    stamp = f"{sen2_return.reference_date:%Y-%m-%d}"
    filename = f"sen2-{sen2_return.year.year}-{stamp}{'' if valid else '-NOT-VALID'}.xml"
    audit_record(
        request=request,
        action=AuditAction.DOWNLOAD,
        summary=(
            f"Downloaded the SEN2 {sen2_return.year.year} return (reference date {stamp}, "
            f"{len(sen2_return.persons)} children, {'valid' if valid else 'NOT valid: marked'})"
        ),
    )
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
