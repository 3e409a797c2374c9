"""Heads of service as the provider's administrator sees them.

The data stays on Team (head_of_service_name, _title, _email), which escalation 2 reads when it
copies its notice to each outstanding team's head (escalation.sweep.emails, .responses): a head of
service is the name, title and email that one or more of the provider's teams carry, told apart by
the email (in any case). Decision 0025 says why there is no HeadOfService model."""

from dataclasses import dataclass, field

from django.db import transaction

from ehc.audit import changes_between, settings_change_record
from ehc.models import AuditAction, Team


@dataclass
class Head:
    name: str
    title: str
    email: str
    teams: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return head_key(self.email, self.name)

    @property
    def first_team(self):
        """The team whose address the head's change page has (teams are listed by name)."""
        return self.teams[0]

    def shown(self) -> dict:
        return {
            "Name": self.name,
            "Job title": self.title,
            "Email": self.email,
            "Teams covered": ", ".join(team.name for team in self.teams),
        }


def head_key(email, name) -> str:
    """What tells two heads apart: the email in lower case (the name where a team has no email)."""
    email, name = (email or "").strip().lower(), (name or "").strip()
    return f"email:{email}" if email else (f"name:{name}" if name else "")


def heads_of_service(provider) -> tuple[list[Head], list[Team]]:
    """The provider's heads of service, each with the teams they cover (by name), and the teams that
    have none. One query."""
    heads: dict[str, Head] = {}
    uncovered = []
    for team in Team.objects.filter(provider=provider).order_by("name", "pk"):
        key = head_key(team.head_of_service_email, team.head_of_service_name)
        if not key:
            uncovered.append(team)
            continue
        head = heads.setdefault(
            key, Head(team.head_of_service_name, team.head_of_service_title, team.head_of_service_email)
        )
        head.teams.append(team)
    return sorted(heads.values(), key=lambda head: (head.name.lower(), head.email.lower())), uncovered


def head_of_team(team) -> Head | None:
    """The head of service covering `team`, with every team of its provider they cover."""
    key = head_key(team.head_of_service_email, team.head_of_service_name)
    if not key:
        return None
    heads, _ = heads_of_service(team.provider)
    return next(head for head in heads if head.key == key)


def _set(team, name, title, email):
    team.head_of_service_name, team.head_of_service_title, team.head_of_service_email = name, title, email
    team.save(update_fields=["head_of_service_name", "head_of_service_title", "head_of_service_email", "updated_at"])


@transaction.atomic
def head_of_service_save(*, request, provider, head: Head | None, name, title, email, teams) -> Head:
    """Add a head of service (`head` None) or change one: the chosen teams carry their name, title and
    email from now on (taken from whichever head covered them); teams the head no longer covers are
    left without one. One audit row on the provider's settings history, before and after."""
    # Lock the provider's teams: two administrators saving heads at once apply one after the other.
    locked = {team.pk: team for team in Team.objects.select_for_update().filter(provider=provider).order_by("pk")}
    chosen = sorted((locked[team.pk] for team in teams), key=lambda team: team.name)
    before_teams = [locked[team.pk] for team in head.teams if team.pk in locked] if head is not None else []
    taken = [
        f"{team.name} from {team.head_of_service_name or team.head_of_service_email}"
        for team in chosen
        if head_key(team.head_of_service_email, team.head_of_service_name)
        and (head is None or head_key(team.head_of_service_email, team.head_of_service_name) != head.key)
    ]
    for team in before_teams:
        if team not in chosen:
            _set(team, "", "", "")
    for team in chosen:
        _set(team, name, title, email)
    after = Head(name, title, email, chosen)
    summary = f"{'Changed' if head is not None else 'Added'} the head of service {name}"
    if taken:
        summary += f" (moved {'; '.join(taken)})"
    settings_change_record(
        request=request,
        organisation=provider,
        summary=summary,
        changes=changes_between(head.shown() if head is not None else {}, after.shown()),
        obj=chosen[0],
        action=AuditAction.CHANGE if head is not None else AuditAction.CREATE,
    )
    return after
