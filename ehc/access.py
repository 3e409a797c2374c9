"""Who may see and act on what: the role and organisation primitives every app builds on.

Case visibility is derived from the organisations party to the case through plain
foreign keys (one indexed query at any scale), for people holding a case-work role; acting for
an organisation or team is a guardian object permission held through groups or directly;
sharing one case with someone is a row with an expiry (assessments.models.CaseShare).
Each app keeps the visibility of its own rows, built on these: `assessments.access.visible_cases`,
`advice.access.visible_advice_items` and `visible_advice_requests`, `escalation.access`'s letters
and escalations. This module is the lowest layer and imports nothing from the apps
(docs/decisions/0020-one-way-layers.md).
See docs/decisions/0003-access-model.md and 0014-need-to-know-in-a-council.md.
"""

import re

from django.contrib.auth.models import Group, Permission
from django.db.models import F, Lookup, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from guardian.shortcuts import assign_perm

from .models import OrganisationKind, Role

SPOC_GROUP = "org-{id}-spoc"
MEMBERS_GROUP = "org-{id}-members"
DCO_GROUP = "org-{id}-dco"
MANAGED_GROUP = re.compile(r"^org-\d+-(spoc|members|dco)$")


def _group_for(organisation, template, permission):
    group, created = Group.objects.get_or_create(name=template.format(id=organisation.pk))
    if created:
        assign_perm(permission, group, organisation)
    return group


def organisation_groups(organisation):
    """The groups that hold an organisation's object permissions, created on first use."""
    groups = {"members": _group_for(organisation, MEMBERS_GROUP, "ehc.act_for_organisation")}
    if organisation.kind == OrganisationKind.HEALTH_PROVIDER:
        groups["spoc"] = _group_for(organisation, SPOC_GROUP, "ehc.act_as_spoc")
    if organisation.kind == OrganisationKind.ICB:
        groups["dco"] = _group_for(organisation, DCO_GROUP, "ehc.respond_as_dco")
    return groups


def user_sync_permissions(*, user):
    """Make the user's groups and team permissions match their organisation, roles and teams."""
    from .models import TeamUserObjectPermission

    wanted_groups = []
    wanted_team_perms = []
    if user.is_active and user.organisation_id is not None:
        groups = organisation_groups(user.organisation)
        wanted_groups.append(groups["members"])
        if _is_own_providers_spoc(user, user.organisation_id):
            wanted_groups.append(groups["spoc"])
        if "dco" in groups and Role.DCO in user.roles:
            wanted_groups.append(groups["dco"])
        team_ids = list(user.teams.filter(provider_id=user.organisation_id).values_list("pk", flat=True))
        if team_ids and (Role.PRACTITIONER in user.roles or Role.SPOC in user.roles):
            wanted_team_perms += [("return_advice", team_id) for team_id in team_ids]
        if team_ids and Role.HEAD_OF_SERVICE in user.roles:
            wanted_team_perms += [("answer_escalation", team_id) for team_id in team_ids]
    unmanaged = [group for group in user.groups.all() if not MANAGED_GROUP.match(group.name)]
    user.groups.set(unmanaged + wanted_groups)
    TeamUserObjectPermission.objects.filter(user=user).delete()
    if wanted_team_perms:
        perms = dict(
            Permission.objects.filter(
                content_type__app_label="ehc", codename__in={codename for codename, _ in wanted_team_perms}
            ).values_list("codename", "pk")
        )
        TeamUserObjectPermission.objects.bulk_create(
            [
                TeamUserObjectPermission(user=user, permission_id=perms[codename], content_object_id=team_id)
                for codename, team_id in wanted_team_perms
            ]
        )


def _is_own_providers_spoc(user, provider_id) -> bool:
    """The rule by which `user_sync_permissions` puts a user in the provider's SPOC group, read off the
    user's own row: active, in that provider, holding the SPOC role. No query (the organisation is loaded
    with the user), where guardian's check costs two per request (user and group permissions)."""
    return (
        user.is_active
        and provider_id is not None
        and user.organisation_id == provider_id
        and Role.SPOC in user.roles
        and user.organisation.kind == OrganisationKind.HEALTH_PROVIDER
    )


def can_act_as_spoc(user, provider) -> bool:
    # Anything the synced groups do not explain (a grant made by hand) is still guardian's answer.
    return user.is_active and (_is_own_providers_spoc(user, provider.pk) or user.has_perm("ehc.act_as_spoc", provider))


def can_return_for_team(user, team) -> bool:
    """Practitioners return their own team's advice; the provider's SPOC may return for any of its teams."""
    return user.is_active and (
        _is_own_providers_spoc(user, team.provider_id)
        or user.has_perm("ehc.return_advice", team)
        or user.has_perm("ehc.act_as_spoc", team.provider)
    )


def is_team_lead(user, team) -> bool:
    """A lead of the team, named by the provider's administrator, who still works for it: signs off
    the team's returns when the team requires it (docs/decisions/0036-team-lead-sign-off.md)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.organisation_id == team.provider_id
        and team.leads.filter(pk=user.pk, teams=team).exists()
    )


def can_answer_escalation(user, team) -> bool:
    return user.is_active and (
        _is_own_providers_spoc(user, team.provider_id)
        or user.has_perm("ehc.answer_escalation", team)
        or user.has_perm("ehc.act_as_spoc", team.provider)
    )


# Need to know (issue 13, finding 2; docs/decisions/0014-need-to-know-in-a-council.md): child data
# follows a case-work role, not the organisation alone. An administrator manages people and settings.
LA_CASEWORK_ROLES = (Role.CASE_OFFICER, Role.BUSINESS_SUPPORT, Role.AD_EDUCATION, Role.SEND_MANAGER)
# Who sees every case of the LA even where it restricts case officers to their own cases.
LA_WHOLE_CASELOAD_ROLES = (Role.BUSINESS_SUPPORT, Role.AD_EDUCATION, Role.SEND_MANAGER)
PROVIDER_WHOLE_ROLES = (Role.SPOC, Role.HEAD_OF_SERVICE)
NOTHING = Q(pk__in=[])
# The accounts the JSON API's machine clients act as (api.keys): no password, no roles of their own, and
# left out of the people an administrator manages (they are managed as API clients instead).
API_ACCOUNT_PREFIX = "api-client-"


def works_on_cases(user) -> bool:
    """Active, in an organisation, and holding a role that works on children's cases there (any role
    of the organisation's kind but administrator). Nobody else sees any child's data, shared or not."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return False
    kind = user.organisation.kind
    if kind == OrganisationKind.LOCAL_AUTHORITY:
        return user.has_role(*LA_CASEWORK_ROLES)
    if kind == OrganisationKind.ICB:
        return user.has_role(Role.DCO)
    if kind == OrganisationKind.HEALTH_PROVIDER:
        return user.has_role(Role.SPOC, Role.HEAD_OF_SERVICE, Role.PRACTITIONER)
    return False


def case_access_restricted(organisation) -> bool:
    """The LA's choice to restrict case officers to their own cases. The settings row comes with the
    signed-in user (ehc.auth.ModelBackend), so this costs no query on a page."""
    from .models import LocalAuthoritySettings

    try:
        return organisation.la_settings.case_access_restricted_to_team
    except LocalAuthoritySettings.DoesNotExist:
        return False


def la_cases_q(user, *, la_field="local_authority_id", case_prefix=""):
    """A Q over the user's own LA's rows (a case, or with `case_prefix` a row with a case) that they may
    see: none without a case-work role; where the LA restricts access, a case officer's own and
    unassigned cases only. Every LA read of child data (pages, lists, CSVs, reports) goes through it."""
    if not works_on_cases(user) or user.organisation.kind != OrganisationKind.LOCAL_AUTHORITY:
        return NOTHING
    q = Q(**{la_field: user.organisation_id})
    if not user.has_role(*LA_WHOLE_CASELOAD_ROLES) and case_access_restricted(user.organisation):
        q &= Q(**{f"{case_prefix}case_officer_id": user.pk}) | Q(**{f"{case_prefix}case_officer__isnull": True})
    return q


def team_is_one_of_users_teams(user, *, field="team_id"):
    """`<field> = ANY(ARRAY(SELECT team_id FROM ehc_user_teams WHERE user_id = ...))`: PostgreSQL runs
    the subquery once (an InitPlan) and probes the team's partial indexes (item_team_outstanding) with
    the ids, the plan a list of literal ids gets; a join through team members, or `IN (subquery)`,
    is planned as a join and sorts every matching row before the first page."""
    from .models import User

    # Raw rather than a nested queryset: compiling a subquery cost more than running it.
    memberships = User.teams.through._meta
    teams = RawSQL(
        f"ARRAY(SELECT {memberships.get_field('team').column} FROM {memberships.db_table}"
        f" WHERE {memberships.get_field('user').column} = %s)",
        (user.pk,),
    )
    return _EqualsAny(F(field), teams)


class _EqualsAny(Lookup):
    """`lhs = ANY(rhs)` for an array-valued right-hand side, usable directly in filter()."""

    lookup_name = "equals_any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def get_visible_or_404(queryset, request=None, **lookup):
    """The object if the user may see it; 404 otherwise, exactly as for a missing one.

    A miss costs the same whether the object exists or not (issue 13, finding 5): the same
    existence check and one audit row in both paths, denied access for an object that exists,
    a request for a missing record otherwise. Timing tells an outsider nothing.
    """
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        if request is not None:
            from .audit import audit_record
            from .models import AuditAction

            exists = queryset.model._default_manager.filter(**lookup).exists()
            name = queryset.model._meta.verbose_name
            audit_record(
                request=request,
                action=AuditAction.DENIED if exists else AuditAction.NOT_FOUND,
                summary=f"{'Denied access to' if exists else 'Asked for a missing'} {name} {lookup}",
            )
        raise Http404 from None
