"""Inviting people (issue 16, Users): an administrator makes the account (name, email, roles, teams) and
the person is emailed a link to set its password (ehc.invitations: 72 hours, once), then enrols an
authenticator before anything else. The account is listed at once as invited; its roles can be
changed, and it can be deactivated, before the link is used.

One account per email address: inviting an address that already has an account is refused, unless it
is an account of this organisation whose password has never been set; then it is a new invitation
(the details updated, a new link, the old one dead).
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ehc.audit import changes_between, settings_change_record
from ehc.invitations import invitation_send
from ehc.models import AuditAction, Organisation, User
from ehc.sso import email_domain, sign_on_domains

from .people import (
    TEAM_ROLES,
    PeopleError,
    people_listed,
    people_sort,
    person_name,
    person_snapshot,
    roles_for,
    teams_for,
)


def account_state(person, now=None, *, sso_domains=frozenset()) -> str:
    """Active, Deactivated, Invited, or Invitation expired (the link not used in time). Someone
    whose address is in `sso_domains` (their organisation's own sign-on, ehc.sso.sign_on_domains)
    is active once they have signed in, and invited until then: their email's sign-in link does
    not expire."""
    if not person.is_active:
        return "Deactivated"
    if person.has_usable_password():
        return "Active"
    if email_domain(person.email or "") in sso_domains:
        return "Active" if person.last_login is not None else "Invited"
    pending = [invitation for invitation in person.invitations.all() if invitation.used_at is None]
    if pending and pending[0].expires_at > (now or timezone.now()):
        return "Invited"
    return "Invitation expired" if pending else "No password set"


# An invitation nobody has taken up yet: the People page's "not signed in yet" list.
NOT_SIGNED_IN_STATES = ("Invited", "Invitation expired")


def people_with_states(*, organisation, sort=None, not_signed_in=False) -> list:
    """The People page's rows (people_listed, in `sort` or the default order), each with its `state`;
    with `not_signed_in`, only those invited who have not yet taken their invitation up (the list the
    home page counts)."""
    found = list(people_listed(organisation=organisation, sort=sort or people_sort(None)))
    sso_domains = sign_on_domains(organisation.pk)
    for each in found:
        each.state = account_state(each, sso_domains=sso_domains)
    if not_signed_in:
        found = [each for each in found if each.state in NOT_SIGNED_IN_STATES]
    return found


def _invitation_snapshot(person) -> dict:
    return {"Name": person_name(person), "Email": person.email, **person_snapshot(person)}


def _send(request, organisation, person):
    return invitation_send(user=person, invited_by=request.user, context={"organisation_name": organisation.name})


@transaction.atomic
def person_invite(*, request, first_name, last_name, email, job_title, roles, teams) -> User:
    """Make (or renew) the account and email its link."""
    organisation = Organisation.objects.select_for_update().get(pk=request.user.organisation_id)
    email = email.strip()
    existing = User.objects.select_for_update().filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
    if existing is not None and (
        existing.organisation_id != organisation.pk
        or existing.has_usable_password()
        or existing.is_staff
        or existing.is_superuser
    ):
        raise PeopleError(f"{email} already has an account: each email address can have one account")
    if existing is not None and not existing.is_active:
        raise PeopleError(f"{email} has a deactivated account here: reactivate it, then send a new link")
    allowed = {value for value, _ in roles_for(organisation)}
    roles = [value for value, _ in roles_for(organisation) if value in set(roles) & allowed]
    wanted_teams = list(teams_for(organisation).filter(pk__in=[team.pk for team in teams]))
    if not any(role in roles for role in TEAM_ROLES):
        wanted_teams = []
    before = _invitation_snapshot(existing) if existing is not None else {}
    person = existing or User(username=email.lower(), email=email, organisation=organisation)
    person.first_name, person.last_name, person.job_title = first_name, last_name, job_title
    person.roles = roles
    if existing is None:
        person.set_unusable_password()
    person.save()
    person.teams.set(wanted_teams)
    after = _invitation_snapshot(person)
    settings_change_record(
        request=request,
        organisation=organisation,
        summary=f"{'Invited' if existing is None else 'Invited again'} {person_name(person)}",
        changes=changes_between(before, after) or {"Invitation": ["", "New link sent"]},
        obj=person,
        action=AuditAction.CREATE if existing is None else AuditAction.CHANGE,
    )
    _send(request, organisation, person)
    return person


def may_invite_again(person) -> bool:
    # A last sign-in without a password is a sign-in through the organisation's own account.
    return (
        person.is_active
        and not person.has_usable_password()
        and person.last_login is None
        and not (person.is_staff or person.is_superuser)
    )


@transaction.atomic
def person_invite_again(*, request, person):
    """A new link for someone who has not set a password yet; the old link stops working. None when a
    link went less than a minute ago (a double click): that one stands."""
    organisation = Organisation.objects.select_for_update().get(pk=person.organisation_id)
    person = User.objects.get(pk=person.pk)
    if not may_invite_again(person):
        raise PeopleError(
            f"{person_name(person)} has set a password or signed in already: "
            "they can reset a password from the sign-in page"
        )
    invitation = _send(request, organisation, person)
    if invitation is not None:
        settings_change_record(
            request=request,
            organisation=organisation,
            summary=f"Sent {person_name(person)} a new invitation link",
            changes={"Invitation": ["Earlier link", "New link sent"]},
            obj=person,
        )
    return invitation
