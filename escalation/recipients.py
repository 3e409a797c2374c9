"""Letters-only accounts: a provider director with no account reads the letters addressed to them.

Someone at the LA (business support or the AD Education) gives the addressee of a letter an account
from the letter's page. The account belongs to the provider and holds only the letters-only role: it
works on no case, so every case, advice and report page refuses it (ehc.access.works_on_cases), and it
sees the letters sent to its own address as that provider's director (escalation.access
.letters_addressed_to), from any LA. The new user is sent a set-password link (the letter's reference
and the link only: an invitation, ehc.invitations), then enrols two-factor authentication before anything
else, like everyone.
See docs/decisions/0016-letters.md.
"""

from django.db import IntegrityError, transaction

from ehc.audit import audit_record
from ehc.invitations import invitation_send
from ehc.models import AuditAction, MessageKind, Role, User

# Who at the LA may give a letter's addressee an account.
ACCOUNT_GIVERS = (Role.BUSINESS_SUPPORT, Role.AD_EDUCATION)


class RecipientError(Exception):
    pass


def may_give_account(user, letter) -> bool:
    return (
        user.is_active
        and user.has_role(*ACCOUNT_GIVERS)
        and user.organisation_id == letter.escalation.local_authority_id
        and not letter.is_awaiting_approval
        and bool(letter.addressed_to)
    )


def account_for(letter):
    """The account already holding the letter's address, if any (addresses compared in lower case)."""
    if not letter.addressed_to:
        return None
    return User.objects.filter(email__iexact=letter.addressed_to).order_by("pk").first()


def _names(full_name):
    first, _, last = (full_name or "").strip().rpartition(" ")
    return (first, last) if first else (last, "")


@transaction.atomic
def letters_account_create(*, letter, user) -> User:
    """A letters-only account for the letter's addressee, in the provider the letter went to, with no
    usable password until they set one from the emailed link."""
    address = letter.addressed_to
    if not address:
        raise RecipientError("This letter was sent to no address: there is nobody to give an account to")
    if account_for(letter) is not None:
        raise RecipientError(f"{address} already has an account")
    escalation = letter.escalation
    provider = escalation.provider
    addressee = letter.content.get("addressee") or {}
    first_name, last_name = _names(addressee.get("name") or provider.director_name)
    account = User(
        username=address[:150],
        email=address,
        first_name=first_name[:150],
        last_name=last_name[:150],
        job_title=(addressee.get("title") or provider.director_title)[:200],
        organisation=provider,
        roles=[Role.LETTERS_ONLY],
    )
    account.set_unusable_password()
    try:
        with transaction.atomic():
            account.save(force_insert=True)
    except IntegrityError:
        raise RecipientError(f"{address} already has an account") from None
    case = escalation.request.case
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        case=case,
        obj=account,
        summary=f"Gave the addressee of the escalation 1 letter of {letter.dated:%-d %b %Y} a letters-only "
        f"account at {provider}",
    )
    set_password_link_send(account=account, letter=letter)
    return account


def may_resend(account) -> bool:
    """A letters-only account that has not set its password yet: the LA may send the link again (the
    password reset page sends nothing to an account without a usable password)."""
    return (
        account is not None
        and account.is_active
        and account.roles == [Role.LETTERS_ONLY]
        and not account.has_usable_password()
    )


def set_password_link_send(*, account, letter, user=None):
    """Send the account its set-password link (ehc.invitations: 72 hours, once; a new link replaces the
    last): the letter's reference and the link, nothing else. A second click within a minute sends
    nothing more, the link already sent standing. Returns the invitation, or None."""
    escalation = letter.escalation
    case = escalation.request.case
    invitation = invitation_send(
        user=account,
        invited_by=user,
        kind=MessageKind.LETTERS_ACCOUNT,
        template=str(MessageKind.LETTERS_ACCOUNT),
        context={
            "reference": case.reference,
            "la_name": escalation.local_authority.name,
            "provider_name": escalation.provider.name,
        },
        case=case,
    )
    if invitation is not None and user is not None:
        audit_record(
            user=user,
            action=AuditAction.SEND,
            case=case,
            obj=account,
            summary=f"Sent the letters-only account at {escalation.provider} its set-password link again",
        )
    return invitation
