"""Who may see and act on escalations: the teams whose escalation 2 a user answers, the letters
they may download, the escalation 1 letters the DCO office responds to, the items whose escalation 2
it may resolve. Built on the role and organisation primitives of `ehc.access`."""

from django.db.models import Q
from guardian.shortcuts import get_objects_for_user

from advice.access import visible_advice_items
from advice.models import AdviceItem, ItemStatus, Stage
from ehc.access import can_act_as_spoc, la_cases_q, works_on_cases
from ehc.models import OrganisationKind, Role, Team

from .models import Escalation, EscalationStage, Letter


def answerable_teams(user):
    """The teams whose escalation 2 the user answers: a head of service's own teams, a SPOC's provider."""
    if not user.is_authenticated or not user.is_active or not user.is_provider_user:
        return Team.objects.none()
    if can_act_as_spoc(user, user.organisation):
        return Team.objects.filter(provider_id=user.organisation_id)
    if not user.has_role(Role.HEAD_OF_SERVICE):
        return Team.objects.none()
    return get_objects_for_user(
        user, "ehc.answer_escalation", klass=Team, accept_global_perms=False, with_superuser=False
    ).filter(provider_id=user.organisation_id)


def downloadable_letters(user):
    """Letters the user may download: the LA's own (for case work, `ehc.access.la_cases_q`), the DCO's
    area's, and the addressed provider's for its SPOC and heads of service; a letters-only account, the
    letters sent to its own address (escalation.recipients). A letter names a child: no administrator
    downloads one. Outside the LA nobody sees a letter still waiting for the AD Education's approval."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return Letter.objects.none()
    org = user.organisation
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return Letter.objects.filter(
            la_cases_q(user, la_field="escalation__local_authority_id", case_prefix="escalation__request__case__")
        )
    sent = Q(approval_required=False) | Q(approved_at__isnull=False)
    if org.kind == OrganisationKind.ICB and user.has_role(Role.DCO):
        return Letter.objects.filter(sent, escalation__local_authority__icb_id=org.pk)
    if org.kind == OrganisationKind.HEALTH_PROVIDER and user.has_role(Role.SPOC, Role.HEAD_OF_SERVICE):
        return Letter.objects.filter(sent, escalation__provider_id=org.pk)
    if org.kind == OrganisationKind.HEALTH_PROVIDER and user.has_role(Role.LETTERS_ONLY):
        return letters_addressed_to(user)
    return Letter.objects.none()


def letters_addressed_to(user):
    """A letters-only account's letters: sent by any LA to its own address as its provider's director,
    and nothing else (docs/decisions/0016-letters.md)."""
    address = (user.email or "").strip().lower()
    if not address or not user.is_active or not user.is_provider_user or not user.has_role(Role.LETTERS_ONLY):
        return Letter.objects.none()
    return Letter.objects.filter(
        Q(approval_required=False) | Q(approved_at__isnull=False),
        addressed_to=address,
        escalation__provider_id=user.organisation_id,
    )


def may_download(user, escalation, letter=None) -> bool:
    """The same rule as `downloadable_letters`, for an escalation already loaded (no query)."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return False
    org = user.organisation
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        # Shown on a case page the user already sees, so the need-to-know rule holds for the case.
        return escalation.local_authority_id == org.pk and works_on_cases(user)
    if letter is not None and letter.is_awaiting_approval:
        return False
    if org.kind == OrganisationKind.ICB:
        return user.has_role(Role.DCO) and escalation.local_authority.icb_id == org.pk
    return escalation.provider_id == org.pk and user.has_role(Role.SPOC, Role.HEAD_OF_SERVICE)


def respondable_escalations(user):
    """Escalation 1 letters of the DCO's area: the DCO office records its response to the AD."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.is_icb_user
        or not user.has_role(Role.DCO)
        or not user.has_perm("ehc.respond_as_dco", user.organisation)
    ):
        return Escalation.objects.none()
    return Escalation.objects.filter(
        stage=EscalationStage.ESCALATION_1, local_authority__icb_id=user.organisation_id
    )


def may_resolve(user) -> bool:
    """The DCO of an ICB, holding the DCO office's right to respond (the synced DCO group)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.ICB
        and user.has_role(Role.DCO)
        and user.has_perm("ehc.respond_as_dco", user.organisation)
    )


def resolvable_items(user):
    """Items of the DCO's area waiting for escalation 2 (at escalation 1, still outstanding)."""
    if not may_resolve(user):
        return AdviceItem.objects.none()
    return visible_advice_items(user).filter(status=ItemStatus.OUTSTANDING, stage=Stage.ESCALATION_1)
