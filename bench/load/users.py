"""The load test's accounts: as many per role as the run's simulated users need, made as the demo's are
(ehc.demo.seed_users: the User row, its roles, organisation and teams, a confirmed authenticator), on
the bench data set's organisations. Never made by the normal demo: only `manage.py load_users`.

Every account has the same password and an authenticator key derived from its username, so the
locustfile computes each one's current code without a database (bench.load.accounts).
"""

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Case
from ehc.models import Organisation, OrganisationKind, Role, Team, User

from .accounts import PASSWORD, PREFIX, accounts_needed, totp_key_for, username

ROLES = {
    "officer": ([Role.CASE_OFFICER], OrganisationKind.LOCAL_AUTHORITY, "SEND case officer"),
    "spoc": ([Role.SPOC], OrganisationKind.HEALTH_PROVIDER, "Health single point of contact"),
    "practitioner": ([Role.PRACTITIONER], OrganisationKind.HEALTH_PROVIDER, "Health practitioner"),
    "dco": ([Role.DCO], OrganisationKind.ICB, "Designated Clinical Officer"),
    "la_admin": ([Role.ADMINISTRATOR], OrganisationKind.LOCAL_AUTHORITY, "Service administrator"),
    "head": ([Role.HEAD_OF_SERVICE], OrganisationKind.HEALTH_PROVIDER, "Head of service"),
    "ad": ([Role.AD_EDUCATION], OrganisationKind.LOCAL_AUTHORITY, "Assistant Director of Education"),
}


@transaction.atomic
def make_accounts(users, *, out=None):
    """Create (or keep) the accounts for `users` simulated users; returns how many of each kind exist."""
    organisations = {
        kind: list(Organisation.objects.filter(kind=kind, is_active=True).order_by("pk"))
        for kind in OrganisationKind.values
    }
    # The LA's accounts go to its first LA (la scale has one); the provider's spread over the providers.
    teams_by_provider = {}
    for team in Team.objects.filter(is_active=True).order_by("pk"):
        teams_by_provider.setdefault(team.provider_id, []).append(team)
    all_teams = [team for teams in teams_by_provider.values() for team in teams]
    password = make_password(PASSWORD)  # hashed once: the same password for every account
    existing = set(User.objects.filter(username__startswith=PREFIX).values_list("username", flat=True))
    made = {}
    for kind, count in accounts_needed(users).items():
        roles, org_kind, title = ROLES[kind]
        candidates = organisations[org_kind]
        if not candidates:
            raise ValueError(f"no active {org_kind} organisation: build the bench data set first")
        for number in range(1, count + 1):
            name = username(kind, number)
            if name in existing:
                continue
            teams = []
            if kind == "practitioner":
                team = all_teams[(number - 1) % len(all_teams)]
                organisation, teams = team.provider, [team]
            elif org_kind == OrganisationKind.HEALTH_PROVIDER:
                organisation = candidates[(number - 1) % len(candidates)]
                teams = teams_by_provider.get(organisation.pk, []) if kind == "head" else []
            else:
                organisation = candidates[0]
            user = User.objects.create(
                username=name,
                password=password,
                first_name="Load",
                last_name=f"{kind.replace('_', ' ').title()} {number}",
                email=f"{name}@load.example",
                organisation=organisation,
                roles=list(roles),
                job_title=title,
                is_active=True,
            )
            if teams:
                user.teams.set(teams)
            TOTPDevice.objects.create(user=user, name="Load test authenticator", key=totp_key_for(name), confirmed=True)
        made[kind] = count
        if kind == "officer":
            share_caseload(organisations[OrganisationKind.LOCAL_AUTHORITY][0], count)
        if out is not None:
            out(f"  {count} {kind} accounts ({username(kind, 1)} ... {username(kind, count)})")
    return made


def share_caseload(la, officers):
    """Half of the LA's cases become the load test's case officers' own, shared out in turn, so that
    "my cases" holds a caseload as it does for a real officer (the other half stay with the data set's)."""
    ids = list(
        User.objects.filter(username__in=[username("officer", n) for n in range(1, officers + 1)])
        .order_by("username")
        .values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Case._meta.db_table} SET case_officer_id = (%s::bigint[])[1 + (id / 2) %% %s] "
            "WHERE local_authority_id = %s AND id %% 2 = 0",
            [ids, len(ids), la.pk],
        )
