"""The DCO/DMO office mailbox of each LA in an ICB's area, kept on the LA's settings row (the sweep,
the letters and their copy lists read it there)."""

from django.db import transaction

from ehc.audit import changes_between, settings_change_record
from ehc.models import LocalAuthoritySettings, Organisation, OrganisationKind
from ehc.text import possessive

LABEL = "DCO/DMO office mailbox"


def area_local_authorities(icb):
    """The ICB's LAs by name, each with its settings row and the providers serving it (3 queries)."""
    return (
        Organisation.objects.filter(icb=icb, kind=OrganisationKind.LOCAL_AUTHORITY)
        .select_related("la_settings")
        .prefetch_related("providers")
        .order_by("name")
    )


@transaction.atomic
def dco_office_email_change(*, request, icb, local_authority, email) -> bool:
    """Set the LA's DCO/DMO office mailbox. Written on both settings histories: the ICB's (its
    administrator did it) and the LA's (its escalation letters are copied there from now on).
    False if nothing changed."""
    LocalAuthoritySettings.for_la(local_authority)
    row = LocalAuthoritySettings.objects.select_for_update().get(local_authority=local_authority)
    if row.dco_office_email == email:
        return False
    changes = changes_between({LABEL: row.dco_office_email}, {LABEL: email})
    row.dco_office_email = email
    row.save(update_fields=["dco_office_email", "updated_at"])
    settings_change_record(
        request=request,
        organisation=icb,
        summary=f"Changed the DCO/DMO office mailbox of {local_authority}",
        changes=changes,
        obj=row,
    )
    settings_change_record(
        request=request,
        organisation=local_authority,
        summary=f"{possessive(icb)} administrator changed the DCO/DMO office mailbox",
        changes=changes,
        obj=row,
    )
    return True
