"""The API's endpoints: thin, like the pages. Each list and each object is read through the access
selector its page uses (a row the client may not see is a 404, exactly as a missing one, audited by
`ehc.access.get_visible_or_404`); each write goes through the page's own form (the same checks, the
upload ones included: advice.uploads) and the page's own service. Every call leaves an audit row."""

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from advice import services as advice_services
from advice.access import advice_items_for, visible_advice_requests
from advice.forms import NotProvidedForm, ReturnForm
from advice.models import ItemStatus, QualityCheck, Stage
from advice.selectors import may_answer_for_la
from assessments.access import visible_cases
from assessments.models import CaseStatus
from ehc.access import can_answer_escalation, can_return_for_team, get_visible_or_404
from ehc.audit import audit_record
from ehc.models import AuditAction
from escalation import access as escalation_access
from escalation import resolutions
from escalation import services as escalation_services
from escalation.forms import Escalation2ResolutionForm, EscalationResponseForm, HeadOfServiceOutcomeForm
from escalation.models import Escalation, EscalationStage

from . import serializers
from .filters import list_filter
from .forms_input import FormInputError, form_for

UPDATED_SINCE = OpenApiParameter(
    "updated_since", str, description="Only rows changed after this moment (ISO 8601), for systems that poll"
)


def _date_range(label, what):
    return [
        OpenApiParameter(f"{label}_from", str, description=f"{what} on or after this date (YYYY-MM-DD)"),
        OpenApiParameter(f"{label}_to", str, description=f"{what} on or before this date (YYYY-MM-DD)"),
    ]


def _choice(name, values, what):
    return OpenApiParameter(name, str, description=f"{what}, one or more (comma-separated) of: {', '.join(values)}")


class AuditedViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only list and detail over `visible(user)`, with one audit row per call."""

    choices: dict = {}
    dates: dict = {}
    # Ids are numbers within PostgreSQL's bigint: anything else is the router's 404, never a query error.
    lookup_value_regex = r"[0-9]{1,18}"

    def visible(self, user):
        raise NotImplementedError

    def get_queryset(self):
        queryset = self.visible(self.request.user)
        if self.action == "list":
            queryset = list_filter(queryset, self.request.query_params, choices=self.choices, dates=self.dates)
        return queryset

    def get_object(self):
        # The pages' rule: anything the client may not see is the 404 of a missing row, audited.
        obj = get_visible_or_404(self.get_queryset(), self.request._request, pk=self.kwargs["pk"])
        self.audit_case = getattr(obj, "case", None) or getattr(getattr(obj, "request", None), "case", None)
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        _audit_call(request, response, getattr(self, "audit_case", None))
        return response


def _form_errors(form):
    """The form's messages, the same words the page shows, by field ("non_field_errors" for the form's own)."""
    errors = {("non_field_errors" if name == "__all__" else name): list(found) for name, found in form.errors.items()}
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def _audit_call(request, response, case):
    user = request.user if request.user and request.user.is_authenticated else None
    client = request.auth if user is not None else None
    code = response.status_code
    if code in (401, 403, 429):
        action = AuditAction.DENIED
    elif code == 404:
        action = AuditAction.NOT_FOUND
    elif request.method in ("GET", "HEAD", "OPTIONS"):
        action = AuditAction.VIEW
    else:
        action = AuditAction.CHANGE
    who = f"API client {client.name} ({client.key_prefix}…)" if client is not None else "API call without a valid key"
    audit_record(
        request=request._request,
        user=user,
        action=action,
        case=case if code < 400 else None,
        summary=f"{who}: {request.method} {request.get_full_path()} answered {code}",
    )


@extend_schema(
    parameters=[
        _choice("status", CaseStatus.values, "The case's status"),
        *_date_range("received", "Requests received"),
        UPDATED_SINCE,
    ]
)
class CaseViewSet(AuditedViewSet):
    """Cases (EHC needs assessments) the client's organisation may see."""

    serializer_class = serializers.CaseSerializer
    choices = {"status": ("status", CaseStatus.values)}
    dates = {"received_on": "received"}

    def visible(self, user):
        return visible_cases(user).select_related("local_authority", "case_officer", "child")

    def get_object(self):
        case = super().get_object()
        self.audit_case = case
        return case


@extend_schema(
    parameters=[*_date_range("notified", "Requests notified"), *_date_range("due", "Advice due"), UPDATED_SINCE]
)
class AdviceRequestViewSet(AuditedViewSet):
    """Requests for health advice sent to a provider about one child."""

    serializer_class = serializers.AdviceRequestSerializer
    dates = {"notified_on": "notified", "due_on": "due"}

    def visible(self, user):
        return visible_advice_requests(user).select_related("case", "provider", "local_authority")


@extend_schema(
    parameters=[
        _choice("status", ItemStatus.values, "The item's status"),
        _choice("stage", Stage.values, "How far the item was chased or escalated"),
        *_date_range("due", "Advice due"),
        UPDATED_SINCE,
    ]
)
class AdviceItemViewSet(AuditedViewSet):
    """Each responding team's advice: its dates, stage, outcome and the advice returned."""

    serializer_class = serializers.AdviceItemSerializer
    choices = {"status": ("status", ItemStatus.values), "stage": ("stage", Stage.values)}
    dates = {"due_on": "due"}

    def visible(self, user):
        # The item page's own reading (advice.views.common._item_or_404).
        return (
            advice_items_for(user)
            .select_related("case", "team", "request", "advice_return")
            .prefetch_related(
                "advice_return__more_documents",
                Prefetch("quality_checks", QualityCheck.objects.select_related("advice_return")),
            )
        )

    def _act(self, request, *, may_act, form_class, apply, success_status=status.HTTP_200_OK):
        item = self.get_object()
        if not may_act(item):
            raise Http404
        if not item.is_outstanding:
            return Response(
                {"errors": {"non_field_errors": [f"The advice is already {item.get_status_display().lower()}"]}},
                status=status.HTTP_409_CONFLICT,
            )
        try:
            form = form_for(form_class, request, item=item)
        except FormInputError as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    apply(item, form)
            except advice_services.AdviceError as error:
                field = error.field if error.field in form.fields else "non_field_errors"
                return Response({"errors": {field: [error.message]}}, status=status.HTTP_400_BAD_REQUEST)
            return Response(self.get_serializer(self.get_object()).data, status=success_status)
        return _form_errors(form)

    @extend_schema(
        request={"multipart/form-data": serializers.ReturnInput, "application/json": serializers.ReturnInput},
        responses={200: serializers.AdviceItemSerializer, 400: serializers.ErrorsOutput, 409: serializers.ErrorsOutput},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def advice_return(self, request, pk=None):
        """Return the team's advice: documents (PDF or .docx, each sent as `document`, several
        allowed, checked and scanned as on the page) and/or the Appendix C sections. A SPOC client may
        return for any team of its provider. A team whose returns need a team lead's sign-off is
        refused with 409: sign-off happens on the pages (docs/decisions/0036-team-lead-sign-off.md)."""
        user = request.user
        item = self.get_object()
        if can_return_for_team(user, item.team) and item.is_outstanding and item.team.returns_need_sign_off:
            return Response(
                {"errors": {"non_field_errors": [advice_services.SignOffRequired().message]}},
                status=status.HTTP_409_CONFLICT,
            )

        def apply(item, form):
            advice_services.advice_return(
                item=item,
                user=user,
                returned_on=form.cleaned_data["returned_on"],
                content=form.content(),
                uploads=form.uploads(),
            )

        return self._act(
            request, may_act=lambda item: can_return_for_team(user, item.team), form_class=ReturnForm, apply=apply
        )

    @extend_schema(
        request=serializers.NotProvidedInput,
        responses={200: serializers.AdviceItemSerializer, 400: serializers.ErrorsOutput, 409: serializers.ErrorsOutput},
    )
    @action(detail=True, methods=["post"], url_path="not-provided", url_name="not-provided")
    def not_provided(self, request, pk=None):
        """Record that the advice will not be provided, with the reason and who decided."""
        user = request.user

        def apply(item, form):
            advice_services.advice_not_provided(item=item, user=user, **form.cleaned_data)

        return self._act(
            request,
            may_act=lambda item: can_return_for_team(user, item.team) or may_answer_for_la(user, item),
            form_class=NotProvidedForm,
            apply=apply,
        )


    @extend_schema(
        request=serializers.HeadOfServiceOutcomeInput,
        responses={200: serializers.AdviceItemSerializer, 400: serializers.ErrorsOutput, 409: serializers.ErrorsOutput},
    )
    @action(detail=True, methods=["post"], url_path="head-of-service-outcome", url_name="head-of-service-outcome")
    def head_of_service_outcome(self, request, pk=None):
        """A head of service's answer to escalation 2 for this team's advice (a SPOC client of the
        provider, as on the heads of service's page): `outcome` "promised" with `promised_on`,
        `delay_reason` and `delay_detail`, or "not_provided" with `not_provided_reason` and
        `not_provided_detail`."""
        item = self.get_object()
        if not can_answer_escalation(request.user, item.team):
            raise Http404
        try:
            form = form_for(HeadOfServiceOutcomeForm, request)
        except FormInputError as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
        if not form.is_valid():
            return _form_errors(form)
        if item.status != ItemStatus.OUTSTANDING or item.stage != Stage.ESCALATION_2:
            return Response(
                {"errors": {"non_field_errors": ["The advice is not waiting for a head of service's answer"]}},
                status=status.HTTP_409_CONFLICT,
            )
        escalation_services.head_of_service_outcome_record(item=item, user=request.user, **form.service_arguments())
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=serializers.ResolutionInput,
        responses={200: serializers.AdviceItemSerializer, 400: serializers.ErrorsOutput, 409: serializers.ErrorsOutput},
    )
    @action(detail=True, methods=["post"], url_path="escalation-2-resolution", url_name="escalation-2-resolution")
    def escalation_2_resolution(self, request, pk=None):
        """The DCO/DMO office's resolution before escalation 2 (a DCO client of the area's ICB, as on
        the resolutions page): `kind` "agreed_date" with `agreed_date`, or "not_needed"; and `reason`."""
        item = self.get_object()
        if not escalation_access.may_resolve(request.user):
            raise Http404
        try:
            form = form_for(Escalation2ResolutionForm, request)
        except FormInputError as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
        if not form.is_valid():
            return _form_errors(form)
        if not escalation_access.resolvable_items(request.user).filter(pk=item.pk).exists():
            return Response(
                {"errors": {"non_field_errors": ["The advice is not waiting for escalation 2"]}},
                status=status.HTTP_409_CONFLICT,
            )
        data = form.cleaned_data
        try:
            resolutions.escalation_2_resolution_record(
                item=item,
                user=request.user,
                kind=data["kind"],
                agreed_date=data.get("agreed_date"),
                reason=data["reason"],
            )
        except resolutions.ResolutionError as error:
            field = error.field if error.field in form.fields else "non_field_errors"
            return Response({"errors": {field: [error.message]}}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema(
    parameters=[
        _choice("stage", EscalationStage.values, "The escalation's stage"),
        *_date_range("issued", "Issued"),
        UPDATED_SINCE,
    ]
)
class EscalationViewSet(AuditedViewSet):
    """Chases and escalations of a request for health advice, with the DCO/DMO office's response."""

    serializer_class = serializers.EscalationSerializer
    choices = {"stage": ("stage", EscalationStage.values)}
    dates = {"issued_on": "issued"}

    def visible(self, user):
        # The case page's reading (escalation.case_page): the escalations of the requests the user sees.
        return Escalation.objects.filter(request__in=visible_advice_requests(user).values("pk")).select_related(
            "request__case", "provider", "local_authority"
        )

    @extend_schema(
        request=serializers.ResponseInput,
        responses={200: serializers.EscalationSerializer, 400: serializers.ErrorsOutput, 409: serializers.ErrorsOutput},
    )
    @action(detail=True, methods=["post"], url_path="response", url_name="response")
    def respond(self, request, pk=None):
        """The DCO/DMO office's response to escalation 1 (a DCO client of the area's ICB)."""
        escalation = self.get_object()
        if not escalation_access.respondable_escalations(request.user).filter(pk=escalation.pk).exists():
            raise Http404
        if escalation.responded_at is not None:
            return Response(
                {"errors": {"non_field_errors": ["The DCO/DMO office's response is already recorded"]}},
                status=status.HTTP_409_CONFLICT,
            )
        try:
            form = form_for(EscalationResponseForm, request)
        except FormInputError as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
        if not form.is_valid():
            return _form_errors(form)
        escalation_services.escalation_response_record(
            escalation=escalation, user=request.user, response=form.cleaned_data["response"]
        )
        return Response(self.get_serializer(self.get_object()).data)
