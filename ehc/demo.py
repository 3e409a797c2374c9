"""Demo organisations and people: one council, one health provider, one ICB, a user for every role
with a fixed two-factor key. Invented people on .example domains only. Deterministic and idempotent.

The demo's cases, advice and the replayed year of chases and escalations need the apps, so they live
at the top of the process (escalation.demo), which calls these
(docs/decisions/0019-module-splits-and-the-demo.md)."""

import base64
import hashlib

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import LocalAuthoritySettings, Organisation, OrganisationKind, Role, Service, Team, User

DEMO_PASSWORD = "demo-password-2026"
DEMO_MARKER_LA = "Harbourside Council"

ICB_NAME = "Coast and Moor Integrated Care Board"
PROVIDER_NAME = "Bayview Children's Health Alliance"

TEAMS = [
    ("Speech and language therapy", Service.SLT, 30),
    ("Occupational therapy", Service.OT, 16),
    ("Physiotherapy", Service.PHYSIOTHERAPY, 8),
    ("Community paediatrics", Service.COMMUNITY_PAEDIATRICS, 22),
    ("CAMHS", Service.CAMHS, 10),
    ("Specialist nursing", Service.SPECIALIST_NURSING, 6),
    ("Public health nursing", Service.PUBLIC_HEALTH_NURSING, 14),
    ("Orthoptics", Service.ORTHOPTICS, 5),
    ("Continuing care", Service.CONTINUING_CARE, 3),
]

# username, first, last, organisation key, roles, team names, job title
DEMO_USERS = [
    ("case.officer", "Priya", "Lindqvist", "la", [Role.CASE_OFFICER], [], "SEND case officer"),
    ("case.officer2", "Tomasz", "Wren", "la", [Role.CASE_OFFICER], [], "SEND case officer"),
    ("business.support", "Nell", "Okafor", "la", [Role.BUSINESS_SUPPORT], [], "SEND business support"),
    ("ad.education", "Morgan", "Ellery", "la", [Role.AD_EDUCATION], [], "Assistant Director of Education"),
    ("send.manager", "Rhian", "Castellan", "la", [Role.SEND_MANAGER], [], "SEND manager"),
    ("spoc", "Jesse", "Marlow", "provider", [Role.SPOC], [], "Health single point of contact"),
    (
        "slt.practitioner",
        "Ravi",
        "Pennock",
        "provider",
        [Role.PRACTITIONER],
        ["Speech and language therapy"],
        "Speech and language therapist",
    ),
    (
        "ot.practitioner",
        "Hana",
        "Brightwell",
        "provider",
        [Role.PRACTITIONER],
        ["Occupational therapy"],
        "Occupational therapist",
    ),
    (
        "ot.lead",
        "Aoife",
        "O'Neill",
        "provider",
        [Role.PRACTITIONER],
        ["Occupational therapy"],
        "Occupational therapy team lead",
    ),
    (
        "paeds.practitioner",
        "Idris",
        "Calloway",
        "provider",
        [Role.PRACTITIONER],
        ["Community paediatrics"],
        "Community paediatrician",
    ),
    (
        "head.of.service",
        "Sam",
        "Holloway",
        "provider",
        [Role.HEAD_OF_SERVICE],
        [
            "Speech and language therapy",
            "Occupational therapy",
            "Physiotherapy",
            "Specialist nursing",
            "Public health nursing",
            "Orthoptics",
            "Continuing care",
            "Community paediatrics",
        ],
        "Head of Integrated Nursing and Therapies",
    ),
    ("head.of.camhs", "Alexis", "Moreau", "provider", [Role.HEAD_OF_SERVICE], ["CAMHS"], "Head of CAMHS"),
    # Two roles at once (the home page has a section for each): the provider's deputy SPOC, who is
    # also its physiotherapist.
    (
        "physio.lead",
        "Noor",
        "O'Neill",
        "provider",
        [Role.SPOC, Role.PRACTITIONER],
        ["Physiotherapy"],
        "Physiotherapy lead and deputy SPOC",
    ),
    ("dco", "Dana", "Whitcombe", "icb", [Role.DCO], [], "Designated Clinical Officer"),
    # The ICB's commissioner: the commissioning report and its anonymised rows, nothing else.
    ("commissioner", "Rowan", "Ashby", "icb", [Role.COMMISSIONER], [], "Commissioning manager"),
    # The provider's director, with a letters-only account: the letters sent to their address.
    ("alliance.director", "Robin", "Carrow", "provider", [Role.LETTERS_ONLY], [], "Alliance Director"),
    # Each organisation's administrator: its people and settings, on the administration pages.
    ("admin", "Ash", "Kerrigan", "la", [Role.ADMINISTRATOR], [], "Service administrator"),
    ("provider.admin", "Kit", "Fenwick", "provider", [Role.ADMINISTRATOR], [], "Systems administrator"),
    ("icb.admin", "Jules", "Harrowby", "icb", [Role.ADMINISTRATOR], [], "SEND team administrator"),
    # The platform's operator: no organisation, no role; the only kind of account the Django admin
    # admits (ehc.admin_site). An organisation's administrator manages its people and settings.
    ("platform.admin", "Quinn", "Ravensworth", None, [], [], "Platform operator"),
]
PLATFORM_OPERATORS = {"platform.admin"}
DIRECTOR_EMAIL = "alliance.director@bayview-health.example"


def totp_key_for(username: str) -> str:
    """A fixed demo TOTP key per user (hex), so the README can tell people how to get codes."""
    return hashlib.sha256(f"ehc-demo-totp:{username}".encode()).hexdigest()[:40]


def totp_key_base32(username: str) -> str:
    return base64.b32encode(bytes.fromhex(totp_key_for(username))).decode()


@transaction.atomic
def seed_organisations():
    icb, _ = Organisation.objects.get_or_create(
        name=ICB_NAME, defaults={"kind": OrganisationKind.ICB, "short_name": "Coast and Moor ICB"}
    )
    la, _ = Organisation.objects.get_or_create(
        name=DEMO_MARKER_LA,
        defaults={
            "kind": OrganisationKind.LOCAL_AUTHORITY,
            "short_name": "Harbourside",
            "icb": icb,
            "address": "SEND Team\nHarbourside Town Hall\nCastle Circus\nHarbourside\nHS1 3DR",
            "telephone": "01632 960 000",
            "website": "www.harbourside.example",
        },
    )
    LocalAuthoritySettings.objects.get_or_create(
        local_authority=la,
        defaults={
            "ad_education_name": "Morgan Ellery",
            "ad_education_email": "ad.education@harbourside.example",
            "business_support_email": "ehcp@harbourside.example",
            "dco_office_email": "dco.office@coastandmoor-icb.example",
            "letter_footer": "Harbourside Council, Town Hall, Castle Circus, Harbourside HS1 3DR",
        },
    )
    provider, _ = Organisation.objects.get_or_create(
        name=PROVIDER_NAME,
        defaults={
            "kind": OrganisationKind.HEALTH_PROVIDER,
            "short_name": "Bayview Alliance",
            "spoc_email": "send.spoc@bayview-health.example",
            "director_name": "Robin Carrow",
            "director_title": "Alliance Director",
            "director_email": DIRECTOR_EMAIL,
            "address": "Bayview Health Centre\nNewton Road\nHarbourside\nHS2 7QA",
        },
    )
    provider.served_las.add(la)
    teams = {}
    for name, service, _weight in TEAMS:
        head = "Alexis Moreau" if service == Service.CAMHS else "Sam Holloway"
        head_title = "Head of CAMHS" if service == Service.CAMHS else "Head of Integrated Nursing and Therapies"
        head_mailbox = "head.camhs" if service == Service.CAMHS else "head.int"
        team, _ = Team.objects.get_or_create(
            provider=provider,
            name=name,
            defaults={
                "service": service,
                "email": f"{service}.team@bayview-health.example",
                "head_of_service_name": head,
                "head_of_service_title": head_title,
                "head_of_service_email": f"{head_mailbox}@bayview-health.example",
            },
        )
        teams[name] = team
    return icb, la, provider, teams


# The demo team whose returns a team lead signs off, and its lead (docs/decisions/0036-team-lead-sign-off.md).
SIGN_OFF_TEAM, SIGN_OFF_LEAD = "Occupational therapy", "ot.lead"


@transaction.atomic
def seed_sign_off(teams, users):
    """After the demo's year is replayed (its returns were made before the team asked for sign-off)."""
    team = teams[SIGN_OFF_TEAM]
    team.returns_need_sign_off = True
    team.save(update_fields=["returns_need_sign_off", "updated_at"])
    team.leads.set([users[SIGN_OFF_LEAD]])


@transaction.atomic
def seed_users(orgs, teams):
    icb, la, provider = orgs
    by_key = {"icb": icb, "la": la, "provider": provider, None: None}
    users = {}
    for username, first, last, org_key, roles, team_names, title in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        user.first_name, user.last_name = first, last
        domain = {"la": "harbourside", None: "platform"}.get(org_key, org_key)
        user.email = f"{username}@{domain}.example"
        if Role.LETTERS_ONLY in roles:
            # The director's own address, matched against the letters' (the demo's provider names an
            # acting director for its last weeks: escalation.demo.changes).
            user.email = DIRECTOR_EMAIL
        user.organisation = by_key[org_key]
        user.roles = list(roles)
        user.job_title = title
        user.is_active = True
        # Staff and superuser go together: only the platform's operator reaches the Django admin.
        user.is_staff = user.is_superuser = username in PLATFORM_OPERATORS
        user.save()
        user.teams.set([teams[name] for name in team_names])
        TOTPDevice.objects.get_or_create(
            user=user, name="Demo authenticator", defaults={"key": totp_key_for(username), "confirmed": True}
        )
        users[username] = user
    return users
