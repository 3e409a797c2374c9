"""Which cases a user may see: the LA's own (need to know: `ehc.access.la_cases_q`), every case of
the LAs in a DCO's area, a case shared with the user, and a case another organisation is party to.

What makes a health provider party to a case (a request for its advice there) is known only to the
advice app, a layer above: it registers its rule here from `AdviceConfig.ready()`
(`register_case_party`), so this module imports nothing from above it. Without a registered rule a
provider's staff see no case: the rule fails closed.
"""

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q

from ehc.access import NOTHING, la_cases_q, works_on_cases
from ehc.models import OrganisationKind, Role

from .models import Case, CaseShare

# Each rule is `rule(user, case_ref) -> expression | None`: an expression over the case whose pk is
# `case_ref` (an OuterRef) that holds when the user's organisation is party to it, or None when the
# rule says nothing about that user.
_case_party_rules = []


def register_case_party(rule):
    """Add a rule by which an organisation other than the LA and its ICB is party to a case. Adding
    the same rule twice (a second `ready()`, as in tests) keeps one."""
    if rule not in _case_party_rules:
        _case_party_rules.append(rule)
    return rule


def case_visibility_q(user, *, prefix="", shares=True):
    """A Q over Case (or, with prefix 'case__', over a model with a case FK) for the cases `user` may see.
    With `shares=False`, only those their organisation is party to, not those shared with them alone
    (the professionals on the case: advice.discussion.access)."""
    if not works_on_cases(user):
        return NOTHING
    org = user.organisation
    case_ref = OuterRef(f"{prefix}pk" if prefix else "pk")
    # Read at request time: an expired or revoked share gives nothing, whatever a cleanup job did.
    shared = Exists(CaseShare.objects.current().filter(user_id=user.pk, case_id=case_ref)) if shares else NOTHING
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        own = la_cases_q(user, la_field=f"{prefix}local_authority_id", case_prefix=prefix)
    elif org.kind == OrganisationKind.ICB:
        own = Q(**{f"{prefix}local_authority__icb_id": org.pk})
    else:
        parties = [found for rule in _case_party_rules if (found := rule(user, case_ref)) is not None]
        own = reduce(or_, parties) if parties else NOTHING
    return own | shared


def visible_cases(user):
    return Case.objects.filter(case_visibility_q(user))


# Who records the steps of a case: the LA's case officers and business support, on its own cases only.
LA_EDITORS = (Role.CASE_OFFICER, Role.BUSINESS_SUPPORT)


def can_edit_case(user, case) -> bool:
    """The rule the case page's forms and links follow, and every app's pages that record a step of
    the case (the reviews app's too)."""
    return (
        user.organisation_id is not None
        and case.local_authority_id == user.organisation_id
        and user.has_role(*LA_EDITORS)
    )
