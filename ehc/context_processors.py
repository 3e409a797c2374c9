from django.urls import NoReverseMatch, reverse

from .access import works_on_cases
from .models import Role


def navigation(request):
    """The links in the service navigation, by role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if not getattr(user, "is_verified", lambda: True)():
        from django.conf import settings

        if settings.MFA_REQUIRED:
            return {"nav_items": []}
    items = [("home", "Home")]
    if user.has_role(Role.CASE_OFFICER, Role.BUSINESS_SUPPORT, Role.AD_EDUCATION, Role.SEND_MANAGER):
        items.append(("assessments:caseload", "Cases"))
        if user.is_la_user:
            items.append(("reviews:work_list", "Annual reviews"))
    if user.has_role(Role.SPOC):
        items.append(("advice:spoc_queue", "Requests for advice"))
    if user.has_role(Role.PRACTITIONER):
        items.append(("advice:team_queue", "My team's advice"))
    if user.has_role(Role.HEAD_OF_SERVICE, Role.SPOC):
        items.append(("escalation:hos_queue", "Escalations"))
    if user.has_role(Role.DCO, Role.AD_EDUCATION, Role.BUSINESS_SUPPORT, Role.SEND_MANAGER):
        items.append(("reports:dashboard", "Overdue advice"))
    if user.has_role(Role.AD_EDUCATION) and user.is_la_user:
        items.append(("escalation:approvals", "Letters to approve"))
    if user.has_role(Role.LETTERS_ONLY) and user.is_provider_user:
        items.append(("escalation:my_letters", "My letters"))
    if user.has_role(Role.DCO, Role.COMMISSIONER):
        items.append(("reports:commissioning", "Commissioning"))
    if user.has_role(Role.DCO):
        items.append(("escalation:responses_owed", "Responses owed"))
        items.append(("escalation:resolutions_due", "Escalation 2 due"))
    if user.has_role(Role.DCO, Role.AD_EDUCATION, Role.BUSINESS_SUPPORT, Role.CASE_OFFICER, Role.SEND_MANAGER):
        items.append(("reports:index", "Reports"))
    if user.has_role(Role.ADMINISTRATOR) and user.organisation_id is not None:
        items.append(("administration:index", "Administration"))
    if user.is_staff and user.is_superuser:
        items.append(("admin:index", "Platform administration"))
        items.append(("administration:onboard", "Onboard an area"))
    resolved = []
    for name, label in items:
        try:
            resolved.append((reverse(name), label))
        except NoReverseMatch:  # a part of the product not installed in this deployment
            continue
    # The search box (assessments.search) for everyone who sees children's cases, on every page.
    search_url = None
    if works_on_cases(user):
        try:
            search_url = reverse("assessments:search")
        except NoReverseMatch:
            pass
    return {"nav_items": resolved, "search_url": search_url}
