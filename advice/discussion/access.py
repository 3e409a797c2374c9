"""Who is on a case's discussion: the professionals whose organisation is party to the case, by the
rules that already say who sees it (`assessments.access.case_visibility_q`), without its shares.

- the LA's people who may see the case (a case-work role, need to know: `ehc.access.la_cases_q`);
- every advice giver on it: the SPOC and heads of service of each provider asked, and the
  practitioners of each team asked (`advice.access.provider_party_to_case`);
- the DCO/DMO of the LA's area.

A case shared with someone (assessments.sharing) lets them read the case for a while, not join the
professionals' discussion: a share is to show a partner the record, and a partner's officer is not one
of the case's advice givers. A letters-only account, an administrator and the family (who have no
accounts) see nothing of it. Decision: docs/decisions/0046-case-discussion.md.

`case_professionals` states the same rule the other way round (the people of one case, for mentions
and the professionals panel); tests/advice/test_discussion_access.py checks that the two agree.
"""

from django.db.models import Exists, OuterRef, Q

from assessments.access import case_visibility_q
from assessments.models import Case
from ehc.access import LA_CASEWORK_ROLES, LA_WHOLE_CASELOAD_ROLES, PROVIDER_WHOLE_ROLES
from ehc.models import LocalAuthoritySettings, Organisation, Role, User

from ..models import AdviceItem, AdviceRequest


def discussion_cases_q(user, *, prefix=""):
    """A Q over Case (or with `prefix` 'case__' a row with a case) for the discussions `user` is on."""
    return case_visibility_q(user, prefix=prefix, shares=False)


def discussion_cases(user):
    return Case.objects.filter(discussion_cases_q(user))


def case_professionals(case):
    """The active people on `case`'s discussion, as a User queryset (one query however many)."""
    own_la = Q(organisation_id=case.local_authority_id, roles__overlap=list(LA_CASEWORK_ROLES))
    if case.case_officer_id is not None:
        # Where the LA restricts case officers to their own cases (`ehc.access.la_cases_q`): the
        # whole-caseload roles and the case's officer; every case officer while nobody is assigned.
        restricted = LocalAuthoritySettings.objects.filter(
            local_authority_id=case.local_authority_id, case_access_restricted_to_team=True
        )
        own_la &= Q(roles__overlap=list(LA_WHOLE_CASELOAD_ROLES)) | Q(pk=case.case_officer_id) | ~Exists(restricted)
    icb_id = Organisation.objects.filter(pk=case.local_authority_id).values("icb_id")
    area = Q(organisation_id__in=icb_id, roles__contains=[Role.DCO])
    asked = AdviceRequest.objects.filter(case_id=case.pk).values("provider_id")
    providers = Q(organisation_id__in=asked, roles__overlap=list(PROVIDER_WHOLE_ROLES))
    teams = Q(roles__contains=[Role.PRACTITIONER]) & Exists(
        AdviceItem.objects.filter(
            case_id=case.pk, provider_id=OuterRef("organisation_id"), team__members=OuterRef("pk")
        )
    )
    return (
        User.objects.filter(is_active=True, organisation__isnull=False)
        .filter(own_la | area | providers | teams)
        .select_related("organisation")
    )
