"""Whose figures a reader may see. Every count in the reports starts from one of these, and they
start from the apps' access rules (`advice.access.visible_advice_items`,
`assessments.access.visible_cases`): a figure can never count a row its reader could not open."""

from django.db.models import Q

from advice.access import visible_advice_items
from advice.models import ItemStatus
from assessments.access import visible_cases
from ehc.models import Organisation, OrganisationKind, Team


def local_authorities_in_scope(user):
    """The LAs whose figures the user may see: a DCO's whole ICB area, or an LA user's own LA."""
    org = user.organisation
    if org is None:
        return Organisation.objects.none()
    if org.kind == OrganisationKind.ICB:
        return Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, icb_id=org.pk)
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return Organisation.objects.filter(pk=org.pk)
    return Organisation.objects.none()


def scope_la_ids(user):
    """The ids of the LAs in scope, read once per request and kept on the user object."""
    ids = getattr(user, "_report_la_ids", None)
    if ids is None:
        org = user.organisation
        if org is not None and org.kind == OrganisationKind.LOCAL_AUTHORITY:
            ids = [org.pk]
        else:
            ids = list(local_authorities_in_scope(user).values_list("id", flat=True))
        user._report_la_ids = ids
    return ids


def scoped_items(user, *, narrowed=False):
    """visible_advice_items(user), with the LA ids spelt out. For a DCO, visible_advice_items joins
    through the ICB; naming the LAs lets PostgreSQL use the per-LA indexes (item_la_outstanding and
    the local_authority foreign key) instead of scanning every item ever requested.

    `narrowed`: the caller filters on a provider or a team, whose partial indexes already find the
    few rows. There the list is left out (the join through the ICB still scopes the rows): with it,
    PostgreSQL ANDs the provider's every item ever with the area's whole outstanding index rather
    than reading the provider's outstanding items alone."""
    items = visible_advice_items(user)
    if user.is_icb_user and not narrowed:
        items = items.filter(local_authority_id__in=scope_la_ids(user))
    return items


def providers_in_scope(user):
    """The filter choices: providers serving the LAs in scope, and any other provider that has advice
    outstanding for them. Read from the served-LA table and the outstanding items' partial index,
    never from the whole history of items."""
    outstanding = scoped_items(user).filter(status=ItemStatus.OUTSTANDING).values("provider_id")
    return (
        Organisation.objects.filter(kind=OrganisationKind.HEALTH_PROVIDER)
        .filter(Q(served_las__in=scope_la_ids(user)) | Q(pk__in=outstanding))
        .distinct()
    )


def teams_in_scope(user):
    return (
        Team.objects.filter(provider__in=providers_in_scope(user))
        .select_related("provider")
        .order_by("provider__name", "name")
    )


def cases_in_scope(user):
    """The cases of the LAs in scope: visible_cases less cases shared in from elsewhere, which are
    another LA's to report on."""
    return visible_cases(user).filter(local_authority__in=local_authorities_in_scope(user))
