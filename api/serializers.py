"""What the API shows of each row: read-only representations. Nothing here changes anything; the
writes go through the pages' own forms and services (api.views)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from advice.forms import ReturnForm
from advice.models import AdviceItem, AdviceRequest, AdviceReturn, QualityCheck
from assessments.children import Child
from assessments.models import Case
from escalation.models import Escalation


class OrganisationRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ChildSerializer(serializers.ModelSerializer):
    """The child's record (assessments.children.Child): their identifiers, shared by their requests."""

    class Meta:
        model = Child
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "nhs_number",
            "upn",
            "uln",
            "la_reference",
            "postcode",
            "setting",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    local_authority = OrganisationRef(read_only=True)
    case_officer = serializers.SerializerMethodField()
    child = ChildSerializer(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "local_authority",
            "case_officer",
            "child",
            "requested_by",
            "received_on",
            "decision_on",
            "decided_to_assess",
            "not_issuing_on",
            "draft_plan_sent_on",
            "final_plan_issued_on",
            "closed_on",
            "closed_reason",
            "next_statutory_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_case_officer(self, case) -> str | None:
        return str(case.case_officer) if case.case_officer_id else None


class AdviceRequestSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    provider = OrganisationRef(read_only=True)
    local_authority = OrganisationRef(read_only=True)

    class Meta:
        model = AdviceRequest
        fields = [
            "id",
            "case",
            "case_reference",
            "provider",
            "local_authority",
            "services_named",
            "notified_on",
            "due_on",
            "acknowledged_at",
            "acknowledgement_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TeamRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    service = serializers.CharField()


class AdviceDocumentSerializer(serializers.Serializer):
    """One document of a return; number 1 is the return's own (the fields beside `documents`)."""

    number = serializers.IntegerField()
    document_name = serializers.CharField()
    document_type = serializers.CharField()
    document_size = serializers.IntegerField(allow_null=True)
    scan_status = serializers.CharField()
    document_available = serializers.BooleanField()


class AdviceReturnSerializer(serializers.ModelSerializer):
    document_available = serializers.BooleanField(read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = AdviceReturn
        fields = [
            "document_name",
            "document_type",
            "document_size",
            "scan_status",
            "document_available",
            "documents",
            # 1, or the amendment it is (the earlier versions are kept, superseded; returned_on stays the first's).
            "version",
            "amendment_reason",
            # The Appendix C sections, as the return form names them.
            *ReturnForm.CONTENT_FIELDS,
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AdviceDocumentSerializer(many=True))
    def get_documents(self, advice_return):
        return AdviceDocumentSerializer(advice_return.documents(), many=True).data


class QualityCheckSerializer(serializers.ModelSerializer):
    """The LA's check of one version of the advice (advice.quality): accepted, or sent back."""

    version = serializers.IntegerField(source="advice_return.version", read_only=True)

    class Meta:
        model = QualityCheck
        fields = ["version", "decision", "reasons", "note", "decided_on", "decided_at", "due_on", "back_on"]
        read_only_fields = fields


class AdviceItemSerializer(serializers.ModelSerializer):
    # Each version's check, oldest first: a send-back's reasons and note, and acceptance.
    quality_checks = QualityCheckSerializer(many=True, read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    team = TeamRef(read_only=True)
    advice_return = serializers.SerializerMethodField()
    # The annual review the item is a report for; null for an assessment's advice.
    review = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = AdviceItem
        fields = [
            "id",
            "request",
            "case",
            "review",
            "case_reference",
            "team",
            "provider",
            "local_authority",
            "due_on",
            # The first due date, once the LA sent the advice back with a new one (null until then).
            "first_due_on",
            "known_status",
            "status",
            "stage",
            "next_action_on",
            "chased_on",
            # The head of service's outcome of escalation 2: a promised date with its reason, or not provided.
            "head_of_service_response_due_on",
            "head_of_service_responded_at",
            "promised_on",
            "delay_reason",
            "delay_detail",
            "returned_on",
            "not_provided_reason",
            "not_provided_detail",
            "not_provided_decided_by",
            "closed_on",
            "exception_reason",
            "exception_detail",
            "advice_return",
            "quality_checks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AdviceReturnSerializer(allow_null=True))
    def get_advice_return(self, item):
        try:
            advice_return = item.advice_return
        except AdviceReturn.DoesNotExist:
            return None
        return AdviceReturnSerializer(advice_return).data


class EscalationSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="request.case_id", read_only=True)
    case_reference = serializers.CharField(source="request.case.reference", read_only=True)
    provider = OrganisationRef(read_only=True)
    local_authority = OrganisationRef(read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "request",
            "case",
            "case_reference",
            "stage",
            "issued_on",
            "provider",
            "local_authority",
            "response_due_on",
            # The DCO/DMO office's response to escalation 1 (its outcome), as the case page shows it.
            "responded_at",
            "response",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReturnInput(serializers.Serializer):
    """What a return takes (documentation only: the page's form checks it, api.views.AdviceItemViewSet)."""

    returned_on = serializers.DateField()
    document = serializers.FileField(required=False, help_text="A PDF or a Word document (.docx)")
    description_of_needs = serializers.CharField(required=False)
    provision_required = serializers.CharField(required=False)
    outcomes = serializers.CharField(required=False)
    how_often_seen = serializers.CharField(required=False)
    seen_over_period = serializers.CharField(required=False)
    pfa_employment = serializers.CharField(required=False)
    pfa_independent_living = serializers.CharField(required=False)
    pfa_community_inclusion = serializers.CharField(required=False)
    pfa_health = serializers.CharField(required=False)


class NotProvidedInput(serializers.Serializer):
    reason = serializers.CharField()
    detail = serializers.CharField()
    decided_by = serializers.CharField()
    decided_on = serializers.DateField()


class HeadOfServiceOutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["promised", "not_provided"])
    promised_on = serializers.DateField(required=False)
    delay_reason = serializers.CharField(required=False)
    delay_detail = serializers.CharField(required=False)
    not_provided_reason = serializers.CharField(required=False)
    not_provided_detail = serializers.CharField(required=False)


class ResolutionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["agreed_date", "not_needed"])
    agreed_date = serializers.DateField(required=False)
    reason = serializers.CharField()


class ErrorsOutput(serializers.Serializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ResponseInput(serializers.Serializer):
    response = serializers.CharField()
