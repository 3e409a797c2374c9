"""Onboarding: create what the file names and does not exist yet, all of it or nothing."""

from dataclasses import dataclass, field

from django.db import transaction

from ehc.audit import settings_change_record
from ehc.invitations import invitation_send
from ehc.models import AuditAction, LocalAuthoritySettings, Organisation, OrganisationKind, Role, User
from ehc.text import possessive

from .parse import KINDS, OnboardError


def _invite(request, user):
    """The invitation every new account gets (ehc.invitations: a link to set the password, 72 hours,
    once; then two-factor enrolment), naming the organisation only. A new one replaces any pending."""
    invited_by = request.user if request is not None and request.user.is_authenticated else None
    return invitation_send(user=user, invited_by=invited_by, context={"organisation_name": user.organisation.name})


KIND = {
    "icb": OrganisationKind.ICB,
    "la": OrganisationKind.LOCAL_AUTHORITY,
    "provider": OrganisationKind.HEALTH_PROVIDER,
}
ARTICLED = {KIND[key]: phrase for key, phrase in KINDS.items()}
LA_SETTINGS = ["business_support_email", "ad_education_name", "ad_education_email", "dco_office_email"]
PROVIDER_FIELDS = ["spoc_email", "director_name", "director_title", "director_email"]


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


class _DryRun(Exception):
    pass


def onboard(*, entries, request=None, dry_run=False, resend=False) -> Outcome:
    """Create the organisations, settings rows, served councils and first administrators the entries
    name that do not exist yet; an existing one is left as it is (the outcome says so). One
    transaction: OnboardError (a clash with what exists) leaves nothing behind, and a dry run shows
    what would be created and rolls it all back (its emails with it: they go after commit). `resend`:
    an existing first administrator who has not set a password yet is sent a new link."""
    outcome = Outcome()
    try:
        with transaction.atomic():
            _onboard(entries, request, outcome, resend)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return outcome


def _onboard(entries, request, outcome, resend):
    errors = []
    orgs = {}
    order = {"icb": 0, "la": 1, "provider": 2}
    for entry in sorted(entries, key=lambda entry: (order[entry.kind], entry.line)):
        org = _organisation(entry, orgs, request, outcome, errors)
        if org is not None:
            orgs[entry.name.lower()] = org
    if errors:
        raise OnboardError(errors)
    for entry in entries:
        _administrator(entry, orgs[entry.name.lower()], request, outcome, errors, resend)
    if errors:
        raise OnboardError(errors)


def _named(name, kind, orgs):
    """An organisation of `kind` by name: one in this file, or one that exists already."""
    org = orgs.get(name.lower()) or Organisation.objects.filter(name__iexact=name).first()
    return org if org is not None and org.kind == kind else None


def _record(request, org, summary, changes):
    settings_change_record(
        request=request, organisation=org, summary=summary, changes=changes, obj=org, action=AuditAction.CREATE
    )


def _organisation(entry, orgs, request, outcome, errors):
    at, kind = f"Line {entry.line}", KIND[entry.kind]
    icb = None
    if entry.kind == "la":
        icb = _named(entry.get("icb"), OrganisationKind.ICB, orgs)
        if icb is None:
            errors.append(f"{at}: {entry.get('icb')} is no ICB in the file or in the service")
            return None
    org = Organisation.objects.select_for_update().filter(name__iexact=entry.name).first()
    if org is not None and org.kind != kind:
        errors.append(f"{at}: {org.name} exists already as {ARTICLED[org.kind]}, not {KINDS[entry.kind]}")
        return None
    if org is not None:
        if icb is not None and org.icb_id != icb.pk:
            where = f"in {possessive(org.icb)} area" if org.icb else "in no ICB's area"
            errors.append(f"{at}: {org.name} exists already {where}, not in {icb}'s")
            return None
        outcome.existing.append(f"{org.get_kind_display()} {org.name}")
    else:
        org = Organisation.objects.create(
            name=entry.name,
            short_name=entry.get("short_name"),
            kind=kind,
            address=entry.address,
            icb=icb,
            **{name: entry.get(name) for name in PROVIDER_FIELDS if entry.kind == "provider"},
        )
        outcome.created.append(f"{org.get_kind_display()} {org.name}" + (f", in {possessive(icb)} area" if icb else ""))
        _record(request, org, f"Onboarded {org.name} ({org.get_kind_display().lower()})", {"Name": [None, org.name]})
    if entry.kind == "la" and not LocalAuthoritySettings.objects.filter(local_authority=org).exists():
        values = {name: entry.get(name) for name in LA_SETTINGS if entry.get(name)}
        LocalAuthoritySettings.objects.create(local_authority=org, **values)
        outcome.created.append(f"Settings of {org.name} (the default timings)")
    if entry.kind == "provider":
        for name in entry.serves:
            la = _named(name, OrganisationKind.LOCAL_AUTHORITY, orgs)
            if la is None:
                errors.append(f"{at}: {name} is no local authority in the file or in the service")
            elif not org.served_las.filter(pk=la.pk).exists():
                org.served_las.add(la)
                outcome.created.append(f"{org.name} serves {la.name}")
                _record(request, org, f"Onboarding: {org.name} serves {la.name}", {"Serves": [None, la.name]})
    return org


def _administrator(entry, org, request, outcome, errors, resend):
    at, email = f"Line {entry.line}", entry.get("admin_email")
    user = User.objects.filter(email__iexact=email).first() or User.objects.filter(username__iexact=email).first()
    if user is not None:
        if user.organisation_id != org.pk or not user.has_role(Role.ADMINISTRATOR):
            errors.append(f"{at}: {email} has an account already, and it is not an administrator of {org.name}")
        elif resend and user.is_active and not user.has_usable_password():
            if _invite(request, user) is None:
                outcome.existing.append(f"Administrator of {org.name}: {user.email} (sent a link under a minute ago)")
            else:
                outcome.created.append(
                    f"A new link to set their password for {user.email}, administrator of {org.name}"
                )
        else:
            outcome.existing.append(f"Administrator of {org.name}: {user.email}")
        return
    user = User(
        username=email.lower()[:150],
        email=email,
        first_name=entry.get("admin_first_name"),
        last_name=entry.get("admin_last_name"),
        organisation=org,
        roles=[Role.ADMINISTRATOR],
    )
    user.set_unusable_password()
    user.save(force_insert=True)
    _record(
        request, org, f"Onboarding: {user.get_full_name()} is the first administrator", {"Administrator": [None, email]}
    )
    _invite(request, user)
    outcome.created.append(f"Administrator of {org.name}: {email} (sent a link to set their password)")
