"""Which requests for health advice and which advice items a user may see, and what makes a health
provider party to a case (registered with `assessments.access` from `AdviceConfig.ready()`).
Built on the role and organisation primitives of `ehc.access`."""

from django.db.models import Exists, OuterRef, Q

from ehc.access import PROVIDER_WHOLE_ROLES, la_cases_q, team_is_one_of_users_teams, works_on_cases
from ehc.models import OrganisationKind, Role

from .models import AdviceItem, AdviceRequest, ItemStatus


def provider_party_to_case(user, case_ref):
    """A provider is party to a case it was asked for advice on: its SPOC and heads of service see
    every such case, a practitioner those where one of their teams has an item. Nothing to say about
    anyone outside a health provider."""
    org = user.organisation
    if org.kind != OrganisationKind.HEALTH_PROVIDER:
        return None
    if user.has_role(*PROVIDER_WHOLE_ROLES):
        return Exists(AdviceRequest.objects.filter(case_id=case_ref, provider_id=org.pk))
    return Exists(AdviceItem.objects.filter(case_id=case_ref, team__members=user.pk, provider_id=org.pk))


def visible_advice_items(user):
    """Advice items the user may see: an LA's for its cases; a provider's own items only (never
    another provider's, even on a shared case); a DCO's for the area's LAs."""
    if not works_on_cases(user):
        return AdviceItem.objects.none()
    org = user.organisation
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return AdviceItem.objects.filter(la_cases_q(user, case_prefix="case__"))
    if org.kind == OrganisationKind.ICB:
        return AdviceItem.objects.filter(local_authority__icb_id=org.pk)
    if org.kind == OrganisationKind.HEALTH_PROVIDER:
        if user.has_role(*PROVIDER_WHOLE_ROLES):
            return AdviceItem.objects.filter(provider_id=org.pk)
        return AdviceItem.objects.filter(provider_id=org.pk).filter(team_is_one_of_users_teams(user))
    return AdviceItem.objects.none()


def visible_advice_requests(user):
    if not works_on_cases(user):
        return AdviceRequest.objects.none()
    org = user.organisation
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return AdviceRequest.objects.filter(la_cases_q(user, case_prefix="case__"))
    if org.kind == OrganisationKind.ICB:
        return AdviceRequest.objects.filter(local_authority__icb_id=org.pk)
    if org.kind == OrganisationKind.HEALTH_PROVIDER:
        qs = AdviceRequest.objects.filter(provider_id=org.pk)
        if not user.has_role(*PROVIDER_WHOLE_ROLES):
            qs = qs.filter(items__team__members=user.pk).distinct()
        return qs
    return AdviceRequest.objects.none()


def advice_items_for(user):
    """The advice items a user may open, with the advice returned on them.

    `visible_advice_items` gives an LA and a DCO the items of their cases, a provider's
    SPOC (and head of service) all of that provider's items, and a practitioner their own teams'.
    Professionals on the same case see each other's advice (the CDC's ask) within one provider:
    a practitioner also sees the other teams' items of their own provider on a case where one of
    their teams is involved (has an item the SPOC did not remove). A second provider's items stay
    hidden from the first, on the same case too: the LA, who sees every provider's advice, is the
    one who shares across providers. The draft plan's health sections are shared separately, with
    every team that gave advice (`advice.selectors.draft_teams_for`).
    """
    items = visible_advice_items(user)
    if not user.is_authenticated or not user.is_provider_user or user.has_role(Role.SPOC, Role.HEAD_OF_SERVICE):
        return items
    my_teams = user.teams.filter(provider_id=user.organisation_id).values("pk")
    involved = AdviceItem.objects.filter(
        case_id=OuterRef("case_id"), provider_id=user.organisation_id, team_id__in=my_teams
    ).exclude(status=ItemStatus.REMOVED)
    # Subqueries rather than a join through team members: a join would repeat each row per member.
    return AdviceItem.objects.filter(provider_id=user.organisation_id).filter(
        Q(team_id__in=my_teams) | Exists(involved)
    )
