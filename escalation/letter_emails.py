"""The emails that carry an escalation 1 letter: one per recipient (docs/decisions/0016-letters.md).

The provider's director is the addressee; the DCO/DMO office and SEND business support each get a copy
that says it is a copy. Each email decides its own attachment: a letter names the child, so it is
attached only where that one address is on the LA's secure domains (LocalAuthoritySettings.secure_domains);
anyone else gets the reference and a link to the letter behind the sign-in. One email per recipient,
rather than one to all with the letter attached only if every address is secure, so that a director
outside the secure domains does not keep the letter from the DCO office on nhs.net.
"""

from django.urls import reverse

from ehc.models import MessageKind
from ehc.outbox import clean_addresses, email_values

# (who, the settings or provider field holding the address) in the order the emails are written.
RECIPIENTS = ("addressee", "dco_office", "business_support")


def letter_recipients(*, provider_director_email, la_settings) -> list[tuple[str, str]]:
    """(who, address) for each recipient with an address, each address once (the first role wins)."""
    addresses = {
        "addressee": provider_director_email,
        "dco_office": la_settings.dco_office_email,
        "business_support": la_settings.business_support_email,
    }
    seen, recipients = set(), []
    for who in RECIPIENTS:
        for address in clean_addresses([addresses[who]]):
            if address.lower() not in seen:
                seen.add(address.lower())
                recipients.append((who, address))
    return recipients


def letter_emails(
    *,
    request_id,
    case_id,
    reference,
    letter_id,
    la_name,
    la_settings,
    provider_name,
    provider_director_email,
    director_name,
    teams,
    dated,
    response_due_on,
    defer_rendering=True,
    review_meeting_on=None,
) -> list[dict]:
    """The outbox rows (ehc.outbox.email_values) for one letter, one per recipient. `teams` are the
    outstanding teams' due dates and days overdue: their names are never put in an email."""
    emails = []
    common = {
        "reference": reference,
        "case_id": case_id,
        "la_name": la_name,
        "provider_name": provider_name,
        "director_name": director_name,
        "ad_name": la_settings.ad_education_name,
        "ad_title": la_settings.ad_education_title,
        "teams": [{"due_on": team["due_on"], "days_overdue": team["days_overdue"]} for team in teams],
        "issued_on": dated,
        "response_due_on": response_due_on,
        "letter_path": reverse("escalation:letter_detail", args=[letter_id]),
        # A review's report, due before this meeting; None for an assessment's advice.
        "review_meeting_on": review_meeting_on,
    }
    for who, address in letter_recipients(provider_director_email=provider_director_email, la_settings=la_settings):
        attached = la_settings.is_secure_address(address)
        email = email_values(
            kind=MessageKind.ESCALATION_1,
            dedupe_key=f"{MessageKind.ESCALATION_1}:request:{request_id}:{who}",
            to=[address],
            template=str(MessageKind.ESCALATION_1),
            context={**common, "recipient": who, "is_copy": who != "addressee", "attached": attached},
            case_id=case_id,
            advice_request_id=request_id,
            # The row names its letter only where the letter goes with it (ehc.outbox attaches it).
            letter_id=letter_id if attached else None,
            defer_rendering=defer_rendering,
        )
        if email is not None:
            emails.append(email)
    return emails
