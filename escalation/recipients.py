"""Letters-only accounts: a provider director with no account reads the letters addressed to them.

Someone at the LA (business support or the AD Education) gives the addressee of a letter an account
from the letter's page. The account belongs to the provider and holds only the letters-only role: it
works on no case, so every case, advice and report page refuses it (ehc.access.works_on_cases), and it
sees the letters sent to its own address as that provider's director (escalation.access
.letters_addressed_to), from any LA. The new user is sent a set-password link (the letter's reference
and the link only), then enrols two-factor authentication at first sign-in like everyone else.
See docs/decisions/0016-letters.md.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ehc.audit import audit_record
from ehc.models import AuditAction, MessageKind, Role, User
from ehc.outbox import email_queue

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
    """Queue the set-password email: the letter's reference and the link, nothing else. A second request
    in the same second (a double click) makes the same token, so the same dedupe key: one email."""
    escalation = letter.escalation
    case = escalation.request.case
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    if user is not None:
        audit_record(
            user=user,
            action=AuditAction.SEND,
            case=case,
            obj=account,
            summary=f"Sent the letters-only account at {escalation.provider} its set-password link again",
        )
    return email_queue(
        kind=MessageKind.LETTERS_ACCOUNT,
        dedupe_key=f"{MessageKind.LETTERS_ACCOUNT}:user:{account.pk}:{hashlib.sha256(token.encode()).hexdigest()[:16]}",
        to=[account.email],
        template=str(MessageKind.LETTERS_ACCOUNT),
        context={
            "reference": case.reference,
            "la_name": escalation.local_authority.name,
            "provider_name": escalation.provider.name,
            "set_password_path": reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
        case=case,
    )
