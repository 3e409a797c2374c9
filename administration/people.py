"""An organisation's people as its administrators manage them: who they are, their roles (those of
the organisation's kind only), their teams, and whether their account is active.

An administrator never sees or sets is_staff, is_superuser, groups or permissions: groups and team
permissions follow the roles and teams (ehc.access.user_sync_permissions), and the platform
operator's accounts are not an organisation's to manage. Nobody is deleted: a user who leaves is
deactivated, so their name stays on every record and on the audit trail (AuditEvent.actor_name).
Deactivating ends their sessions at once (ehc.signals). Roles are read from the user's row on each
request (ehc.auth.ModelBackend.get_user), so a change takes effect on their next request.
"""

from django.db import transaction

from ehc.access import API_ACCOUNT_PREFIX, get_visible_or_404
from ehc.audit import changes_between, settings_change_record
from ehc.models import ROLES_BY_KIND, Organisation, Role, Team, User
from ehc.sorting import SortKey, sort_read, sorted_queryset, text_key

# Roles that work for teams of the provider: they need at least one.
TEAM_ROLES = (Role.PRACTITIONER, Role.HEAD_OF_SERVICE)


class PeopleError(Exception):
    """A change refused for a reason the administrator can act on; the message says what to do."""


def roles_for(organisation) -> list[tuple[str, str]]:
    """The roles a user of `organisation` may hold, in the order the product lists roles."""
    allowed = ROLES_BY_KIND.get(organisation.kind, set())
    return [(value, label) for value, label in Role.choices if value in allowed]


def teams_for(organisation):
    """The teams a provider's practitioners and heads of service may work for (none elsewhere)."""
    if not organisation.is_provider:
        return Team.objects.none()
    return Team.objects.filter(provider=organisation).order_by("name")


def people_for(*, organisation):
    """The organisation's users an administrator manages, active first, by name."""
    return (
        User.objects.filter(organisation=organisation, is_staff=False, is_superuser=False)
        .exclude(username__startswith=API_ACCOUNT_PREFIX)
        .prefetch_related("teams", "invitations")
        .order_by("-is_active", "last_name", "first_name", "pk")
    )


# The People list's sortable columns; the active come before the deactivated whatever the order.
PEOPLE_SORT_KEYS = (
    text_key("name", "last_name"),
    text_key("email", "email"),
    SortKey("signed-in", "last_login", kind="datetime", nullable=True),
)


def people_sort(value):
    return sort_read(value, PEOPLE_SORT_KEYS, "name")


def people_listed(*, organisation, sort):
    """people_for in the order chosen on the People page, the active first."""
    ordered = sorted_queryset(people_for(organisation=organisation), sort)
    return ordered.order_by("-is_active", *sort.order_by())


def person_or_404(*, request, pk):
    """One of the administrator's own organisation's users; anyone else's is a 404, like a missing one."""
    return get_visible_or_404(people_for(organisation=request.user.organisation), request, pk=pk)


def person_snapshot(person) -> dict:
    """A user's roles, teams and state as the settings history shows them."""
    return {
        "Roles": ", ".join(Role(role).label for role in person.roles if role in Role.values),
        "Teams": ", ".join(sorted(team.name for team in person.teams.all())),
        "Account": "Active" if person.is_active else "Deactivated",
    }


def person_name(person) -> str:
    return person.get_full_name() or person.username


def _locked(person):
    """The organisation row locked (two administrators removing each other at once wait for each
    other here, so one of them always stays), and the person as they are now."""
    organisation = Organisation.objects.select_for_update().get(pk=person.organisation_id)
    return organisation, User.objects.get(pk=person.pk)


def _other_active_administrators(organisation, person):
    # One who has never set a password (an invitation not taken up) cannot administer anything yet.
    return (
        User.objects.filter(organisation=organisation, is_active=True, roles__contains=[Role.ADMINISTRATOR])
        .exclude(pk=person.pk)
        .exclude(password__startswith="!")
    )


def _keep_an_administrator(organisation, person):
    if not _other_active_administrators(organisation, person).exists():
        raise PeopleError(
            f"{organisation} must keep at least one active administrator: make someone else an administrator first"
        )


def _record(request, organisation, person, summary, before):
    changes = changes_between(before, person_snapshot(person))
    if changes:
        settings_change_record(request=request, organisation=organisation, summary=summary, changes=changes, obj=person)
    return changes


@transaction.atomic
def person_roles_change(*, request, person, roles, teams) -> dict:
    """Give `person` exactly `roles` (and, for a practitioner or head of service, `teams`)."""
    organisation, person = _locked(person)
    before = person_snapshot(person)
    allowed = {value for value, _ in roles_for(organisation)}
    roles = [value for value, _ in Role.choices if value in set(roles) & allowed]
    if Role.ADMINISTRATOR in person.roles and Role.ADMINISTRATOR not in roles:
        if person.pk == request.user.pk:
            raise PeopleError("You cannot remove your own administrator role: ask another administrator")
        if person.is_active:
            _keep_an_administrator(organisation, person)
    wanted_teams = list(teams_for(organisation).filter(pk__in=[team.pk for team in teams]))
    if not any(role in roles for role in TEAM_ROLES):
        wanted_teams = []
    person.roles = roles
    person.save(update_fields=["roles"])
    person.teams.set(wanted_teams)
    return _record(request, organisation, person, f"Changed the roles of {person_name(person)}", before)


@transaction.atomic
def person_deactivate(*, request, person) -> dict:
    """Deactivate `person`: they cannot sign in, and every session of theirs ends now (ehc.signals)."""
    organisation, person = _locked(person)
    if person.pk == request.user.pk:
        raise PeopleError("You cannot deactivate your own account: ask another administrator")
    if not person.is_active:
        return {}
    if Role.ADMINISTRATOR in person.roles:
        _keep_an_administrator(organisation, person)
    before = person_snapshot(person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    return _record(request, organisation, person, f"Deactivated {person_name(person)}", before)


@transaction.atomic
def person_reactivate(*, request, person) -> dict:
    """Let `person` sign in again, with the roles, password and authenticator they had."""
    organisation, person = _locked(person)
    if person.is_active:
        return {}
    before = person_snapshot(person)
    person.is_active = True
    person.save(update_fields=["is_active"])
    return _record(request, organisation, person, f"Reactivated {person_name(person)}", before)
