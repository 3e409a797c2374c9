"""A provider administrator's changes to its teams and contacts, each audited before and after."""

from django.db import IntegrityError, transaction

from advice.models import AdviceItem, ItemStatus
from ehc.audit import changes_between, settings_change_record
from ehc.models import AuditAction, Team

from ..changes import snapshot

TEAM_FIELDS = ["name", "service", "email", "is_active", "returns_need_sign_off", "leads"]
CONTACT_FIELDS = ["spoc_email", "director_name", "director_title", "director_email"]
# The history's labels, as the pages name the fields.
LABELS = {
    "Name": "Team name",
    "Email": "Team mailbox",
    "Is active": "Active",
    "Returns need a team lead's sign-off": "A team lead signs off the team's advice",
    "Spoc email": "SPOC mailbox",
    "Director name": "Director's name",
    "Director title": "Director's job title",
    "Director email": "Director's email",
}


def shown(obj, names) -> dict:
    return {LABELS.get(label, label): value for label, value in snapshot(obj, names).items()}


class TeamNameTaken(Exception):
    pass


class TeamInUse(Exception):
    pass


def outstanding_advice_count(team) -> int:
    """Advice still owed by the team: while there is any, the team stays active (its chases,
    escalations and the SPOC's lists name it)."""
    return AdviceItem.objects.filter(team=team, status=ItemStatus.OUTSTANDING).count()


def _save(team, **kwargs):
    try:
        with transaction.atomic():
            team.save(**kwargs)
    except IntegrityError:
        # Another administrator took the name between the form's check and this save.
        raise TeamNameTaken(f"{team.provider} already has a team called {team.name}: choose another name") from None


@transaction.atomic
def team_create(*, request, provider, name, service, email) -> Team:
    team = Team(provider=provider, name=name, service=service, email=email)
    _save(team, force_insert=True)
    settings_change_record(
        request=request,
        organisation=provider,
        summary=f"Added the team {team.name}",
        changes=changes_between({}, shown(team, TEAM_FIELDS)),
        obj=team,
        action=AuditAction.CREATE,
    )
    return team


@transaction.atomic
def team_change(*, request, team, name, service, email, returns_need_sign_off=None, leads=None) -> Team:
    """Change a team. Sign-off (decision 0036) applies to what is sent from now on: returns already
    waiting for a lead stay waiting, and turning it off lets the team return directly again."""
    team = Team.objects.select_for_update().select_related("provider").get(pk=team.pk)
    before = shown(team, TEAM_FIELDS)
    old_name = team.name
    team.name, team.service, team.email = name, service, email
    if returns_need_sign_off is not None:
        team.returns_need_sign_off = returns_need_sign_off
    _save(team, update_fields=["name", "service", "email", "returns_need_sign_off", "updated_at"])
    if leads is not None:
        team.leads.set(leads)
    changes = changes_between(before, shown(team, TEAM_FIELDS))
    if not changes:
        return team
    settings_change_record(
        request=request, organisation=team.provider, summary=f"Changed the team {old_name}", changes=changes, obj=team
    )
    return team


@transaction.atomic
def team_active_set(*, request, team, active: bool) -> Team:
    """Deactivate (no new requests or acknowledgements name it) or reactivate a team. A team that
    still owes advice cannot be deactivated: TeamInUse says how much."""
    team = Team.objects.select_for_update().select_related("provider").get(pk=team.pk)
    if team.is_active == active:
        return team
    if not active:
        owed = outstanding_advice_count(team)
        if owed:
            raise TeamInUse(
                f"{team.name} still owes advice on {owed} request{'s' if owed != 1 else ''}. It can be deactivated "
                "once that advice is returned or recorded as not provided."
            )
    before = shown(team, TEAM_FIELDS)
    team.is_active = active
    team.save(update_fields=["is_active", "updated_at"])
    settings_change_record(
        request=request,
        organisation=team.provider,
        summary=f"{'Reactivated' if active else 'Deactivated'} the team {team.name}",
        changes=changes_between(before, shown(team, TEAM_FIELDS)),
        obj=team,
    )
    return team


@transaction.atomic
def contacts_change(*, request, provider, data) -> bool:
    """The SPOC mailbox and the director who receives escalation 1 letters. False if nothing changed."""
    provider = type(provider).objects.select_for_update().get(pk=provider.pk)
    before = shown(provider, CONTACT_FIELDS)
    for name in CONTACT_FIELDS:
        setattr(provider, name, data[name])
    changes = changes_between(before, shown(provider, CONTACT_FIELDS))
    if not changes:
        return False
    provider.save(update_fields=[*CONTACT_FIELDS, "updated_at"])
    settings_change_record(
        request=request,
        organisation=provider,
        summary="Changed the SPOC mailbox and director",
        changes=changes,
        obj=provider,
    )
    return True
