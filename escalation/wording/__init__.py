"""The wording an LA edits: the escalation 1 letter, the escalation 2 notice, the chase email and the
weekly list's introduction (issue 16; docs/decisions/0024-letter-and-email-wording.md).

Each save is a new numbered version; the version in force is the latest, version 0 the product's own
(`defaults`). A letter snapshots the text and number it was issued with (escalation.letters), an email
its context (escalation.sweep.emails, .digest): what was issued never changes.
"""

from django.db import transaction
from django.db.models import Max

from ehc.models import Organisation

from ..models import WordingKind, WordingVersion
from . import defaults
from .placeholders import Kind, Placeholder, for_kind
from .render import WordingError, wording_check, wording_html, wording_text

DEFAULTS = {
    Kind.ESCALATION_1_LETTER: defaults.ESCALATION_1_LETTER,
    Kind.ESCALATION_2_NOTICE: defaults.ESCALATION_2_NOTICE,
    Kind.CHASE_EMAIL: defaults.CHASE_EMAIL,
    Kind.DIGEST_INTRO: defaults.DIGEST_INTRO,
}

__all__ = [
    "DEFAULTS",
    "Kind",
    "Placeholder",
    "WordingError",
    "for_kind",
    "wording_check",
    "wording_html",
    "wording_text",
    "wording_in_force",
    "wordings_in_force",
    "wording_version_create",
]


def _snapshot(kind, version=None) -> dict:
    if version is None:
        return {"kind": str(kind), "version": 0, "id": None, "text": DEFAULTS[kind]}
    return {"kind": str(kind), "version": version.number, "id": version.pk, "text": version.text}


def wordings_in_force(*, la_ids, kinds) -> dict:
    """{(LA id, kind): {"kind", "version", "id", "text"}} for every pair, in one query (the unique
    (LA, kind, number) index serves it)."""
    latest = (
        WordingVersion.objects.filter(local_authority_id__in=list(la_ids), kind__in=list(kinds))
        .order_by("local_authority_id", "kind", "-number")
        .distinct("local_authority_id", "kind")
    )
    found = {(version.local_authority_id, version.kind): version for version in latest}
    return {(la_id, kind): _snapshot(kind, found.get((la_id, kind))) for la_id in la_ids for kind in kinds}


def wording_in_force(*, la_id, kind) -> dict:
    return wordings_in_force(la_ids=[la_id], kinds=[kind])[(la_id, kind)]


@transaction.atomic
def wording_version_create(*, la, kind, text, user) -> WordingVersion:
    """Save `text` as the LA's next version of `kind` (checked first: WordingError if it cannot be used)."""
    if kind not in WordingKind.values:
        raise WordingError("There is no such text")
    text = text.replace("\r\n", "\n").strip()
    wording_check(kind, text)
    # The LA's row is the lock: two administrators saving at once get consecutive numbers.
    Organisation.objects.select_for_update().filter(pk=la.pk).first()
    number = (
        WordingVersion.objects.filter(local_authority=la, kind=kind).aggregate(Max("number"))["number__max"] or 0
    ) + 1
    return WordingVersion.objects.create(local_authority=la, kind=kind, number=number, text=text, created_by=user)
