"""People pages (issue 16, Users): an administrator lists their own organisation's users, changes their
roles (of the organisation's kind only) and teams, deactivates and reactivates them; everyone else,
another organisation's administrator included, gets 404 on every one of our users."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from ehc.access import can_return_for_team
from ehc.audit import audit_record
from ehc.models import ROLES_BY_KIND, AuditAction, AuditEvent, Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERSON_URLS = ("administration:person", "administration:person_deactivate", "administration:person_reactivate")


def people_page(client):
    return client.get(reverse("administration:people")).content.decode()


def post_roles(client, person, roles, teams=()):
    return client.post(
        reverse("administration:person", args=[person.pk]), {"roles": list(roles), "teams": [t.pk for t in teams]}
    )


def errors_of(response):
    body = response.content.decode()
    assert response.status_code == 200 and 'class="govuk-error-summary"' in body
    assert "(error)" in body.split("</title>")[0]
    return body


@pytest.mark.parametrize("kind", ["la", "provider", "icb"])
def test_each_administrator_lists_their_own_organisations_people_only(ours, theirs, our_admins, login, kind):
    admin = getattr(our_admins, kind)
    oneill = UserFactory(
        username=f"oneill-{kind}", first_name="Siobhan", last_name="O'Neill", organisation=admin.organisation
    )
    UserFactory(username=f"operator-{kind}", organisation=admin.organisation, is_staff=True, is_superuser=True)
    page = people_page(login(admin))
    assert "Siobhan O&#x27;Neill" in page and "O'Neill" not in page
    assert oneill.email in page and reverse("administration:person", args=[oneill.pk]) in page
    assert f"operator-{kind}" not in page  # the platform operator's accounts are not the organisation's
    for user in User.objects.exclude(organisation=admin.organisation).filter(organisation__isnull=False):
        assert reverse("administration:person", args=[user.pk]) not in page
    assert "is_staff" not in page and "superuser" not in page.lower()


def test_the_provider_list_shows_teams_and_states(ours, our_admins, login):
    gone = UserFactory(username="gone-provider", organisation=ours.provider, roles=[Role.SPOC], is_active=False)
    page = people_page(login(our_admins.provider))
    assert ours.slt.name in page and "Health practitioner" in page
    assert "Deactivated" in page and reverse("administration:person", args=[gone.pk]) in page
    assert "Never" in page  # nobody in the factory world has signed in with a password


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "spoc", "slt_practitioner", "dco"])
def test_case_workers_get_404_on_every_people_page(ours, login, who):
    client = login(getattr(ours, who))
    assert client.get(reverse("administration:people")).status_code == 404
    for name in PERSON_URLS:
        assert client.get(reverse(name, args=[ours.case_officer.pk])).status_code == 404
        assert client.post(reverse(name, args=[ours.case_officer.pk]), {"roles": [Role.SPOC]}).status_code == 404
    ours.case_officer.refresh_from_db()
    assert ours.case_officer.is_active and ours.case_officer.roles == [Role.CASE_OFFICER]


def test_another_organisations_administrator_gets_404_on_every_one_of_our_users(ours, our_admins, their_admins, login):
    our_people = list(User.objects.filter(organisation__in=[ours.la, ours.provider, ours.icb]))
    assert len(our_people) >= 11
    for admin in (their_admins.la, their_admins.provider, their_admins.icb, our_admins.provider, our_admins.icb):
        client = login(admin)
        for person in our_people:
            if person.organisation_id == admin.organisation_id:
                continue
            for name in PERSON_URLS:
                url = reverse(name, args=[person.pk])
                assert client.get(url).status_code == 404, (admin, person, name)
                assert client.post(url, {"roles": [Role.ADMINISTRATOR]}).status_code == 404, (admin, person, name)
    assert User.objects.filter(pk__in=[p.pk for p in our_people], is_active=False).count() == 0
    assert not AuditEvent.objects.filter(settings_of__isnull=False).exists()
    # A missing user is the same 404.
    assert login(our_admins.la).get(reverse("administration:person", args=[10**9])).status_code == 404


def test_a_role_change_takes_effect_on_the_next_request_and_is_in_the_history(ours, our_admins, login):
    officer = login(ours.case_officer)
    assert officer.get(reverse("assessments:caseload")).status_code == 200
    response = post_roles(login(our_admins.la), ours.case_officer, [Role.SEND_MANAGER])
    assert response.status_code == 302 and response.headers["Location"] == reverse("administration:people")
    ours.case_officer.refresh_from_db()
    assert ours.case_officer.roles == [Role.SEND_MANAGER]
    # The same session, its next request: the SEND manager's pages, no longer a case officer's editing.
    assert officer.get(reverse("reports:dashboard")).status_code == 200
    assert officer.get(reverse("assessments:case_create")).status_code == 404
    post_roles(login(our_admins.la), ours.case_officer, [Role.ADMINISTRATOR])
    assert officer.get(reverse("assessments:caseload")).status_code == 404
    assert officer.get(reverse("administration:people")).status_code == 200

    history = login(our_admins.la).get(reverse("administration:history")).content.decode()
    assert f"Changed the roles of {ours.case_officer.get_full_name()}".replace("'", "&#x27;") in history
    assert "SEND case officer" in history and "SEND manager" in history
    event = AuditEvent.objects.filter(settings_of=ours.la).order_by("id").first()
    assert event.changes == {"Roles": ["SEND case officer", "SEND manager"]}
    assert event.object_id == str(ours.case_officer.pk) and event.actor == our_admins.la


def test_only_roles_of_the_organisations_kind_are_offered_or_accepted(ours, our_admins, login):
    client = login(our_admins.icb)
    page = client.get(reverse("administration:person", args=[ours.dco.pk])).content.decode()
    assert "Designated Clinical/Medical Officer" in page and "Administrator" in page
    assert "SEND case officer" not in page and "Health single point of contact" not in page
    for field in ("is_staff", "is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' not in page
    body = errors_of(post_roles(client, ours.dco, [Role.CASE_OFFICER]))
    assert "Select roles from the list" in body
    # Fields that are not on the form are ignored, whatever is posted.
    client.post(
        reverse("administration:person", args=[ours.dco.pk]),
        {"roles": [Role.DCO, Role.ADMINISTRATOR], "is_staff": "on", "is_superuser": "on", "groups": ["1"]},
    )
    ours.dco.refresh_from_db()
    assert ours.dco.roles == [Role.DCO, Role.ADMINISTRATOR]
    assert not ours.dco.is_staff and not ours.dco.is_superuser


def test_bad_input_shows_the_error_summary_and_changes_nothing(ours, our_admins, login):
    client = login(our_admins.provider)
    practitioner = ours.slt_practitioner
    cases = [
        ([], [], "Select at least one role"),
        ([Role.PRACTITIONER], [], "Select the teams this practitioner or head of service works for"),
        ([Role.LETTERS_ONLY, Role.SPOC], [], "A letters-only account holds no other role"),
        ([Role.PRACTITIONER], "not-a-number", "Select teams from the list"),
    ]
    for roles, teams, message in cases:
        data = {"roles": roles, "teams": teams if isinstance(teams, str) else [t.pk for t in teams]}
        body = errors_of(client.post(reverse("administration:person", args=[practitioner.pk]), data))
        assert message in body, message
    practitioner.refresh_from_db()
    assert practitioner.roles == [Role.PRACTITIONER] and list(practitioner.teams.all()) == [ours.slt]
    assert not AuditEvent.objects.filter(settings_of=ours.provider).exists()


def test_a_provider_administrator_sets_a_practitioners_teams_from_their_own_provider_only(
    ours, theirs, our_admins, login
):
    client = login(our_admins.provider)
    practitioner = ours.slt_practitioner
    body = errors_of(post_roles(client, practitioner, [Role.PRACTITIONER], [theirs.slt]))
    assert "Select teams from the list" in body
    assert post_roles(client, practitioner, [Role.PRACTITIONER], [ours.ot, ours.paeds]).status_code == 302
    practitioner = User.objects.get(pk=practitioner.pk)
    assert set(practitioner.teams.all()) == {ours.ot, ours.paeds}
    assert can_return_for_team(practitioner, ours.ot) and not can_return_for_team(practitioner, ours.slt)
    event = AuditEvent.objects.get(settings_of=ours.provider)
    assert event.changes == {"Teams": [ours.slt.name, ", ".join(sorted([ours.ot.name, ours.paeds.name]))]}
    # A SPOC works for no team of their own: teams ticked with it are not kept.
    post_roles(client, practitioner, [Role.SPOC], [ours.ot])
    assert list(User.objects.get(pk=practitioner.pk).teams.all()) == []


def test_deactivating_ends_the_users_sessions_at_once_and_keeps_their_name(ours, our_admins, login, rf):
    officer, other_device = login(ours.case_officer), login(ours.case_officer)
    colleague = login(ours.business_support)
    assert officer.get(reverse("assessments:caseload")).status_code == 200
    keys = set(Session.objects.values_list("session_key", flat=True))
    admin = login(our_admins.la)
    confirm = admin.get(reverse("administration:person_deactivate", args=[ours.case_officer.pk]))
    assert confirm.status_code == 200 and "signed out at once" in confirm.content.decode()
    # Something they did before leaving, with their name on it.
    request = rf.get("/")
    request.user = ours.case_officer
    audit_record(request=request, action=AuditAction.VIEW, summary="Looked at something")
    response = admin.post(reverse("administration:person_deactivate", args=[ours.case_officer.pk]))
    assert response.status_code == 302

    ours.case_officer.refresh_from_db()
    assert not ours.case_officer.is_active
    remaining = set(Session.objects.values_list("session_key", flat=True))
    assert len(keys - remaining) == 2  # both of the officer's sessions, nobody else's
    for client in (officer, other_device):
        gone = client.get(reverse("assessments:caseload"))
        assert gone.status_code == 302 and gone.headers["Location"].startswith(reverse("login"))
    assert colleague.get(reverse("assessments:caseload")).status_code == 200
    assert AuditEvent.objects.get(summary="Looked at something").actor_name == ours.case_officer.get_full_name()
    event = AuditEvent.objects.get(settings_of=ours.la)
    assert event.changes == {"Account": ["Active", "Deactivated"]}
    page = people_page(admin)
    assert "Deactivated" in page and reverse("administration:person", args=[ours.case_officer.pk]) in page

    # Reactivated: they sign in again with what they had.
    assert admin.post(reverse("administration:person_reactivate", args=[ours.case_officer.pk])).status_code == 302
    ours.case_officer.refresh_from_db()
    assert ours.case_officer.is_active and ours.case_officer.roles == [Role.CASE_OFFICER]
    assert login(ours.case_officer).get(reverse("assessments:caseload")).status_code == 200
    assert list(AuditEvent.objects.filter(settings_of=ours.la).order_by("id").values_list("changes", flat=True)) == [
        {"Account": ["Active", "Deactivated"]},
        {"Account": ["Deactivated", "Active"]},
    ]


@pytest.mark.parametrize("kind", ["la", "provider", "icb"])
def test_an_administrator_cannot_deactivate_themselves_or_remove_the_last_administrator(our_admins, login, kind):
    admin = getattr(our_admins, kind)
    client = login(admin)
    body = errors_of(client.post(reverse("administration:person_deactivate", args=[admin.pk])))
    assert "You cannot deactivate your own account" in body
    other_role = next(
        value for value in (Role.CASE_OFFICER, Role.SPOC, Role.DCO) if value in ROLES_BY_KIND[admin.organisation.kind]
    )
    body = errors_of(post_roles(client, admin, [other_role]))
    assert "You cannot remove your own administrator role" in body

    # A second administrator who has never set a password (an invitation not taken up) does not count.
    second = UserFactory(
        username=f"second-{kind}",
        first_name="Aoife",
        last_name="O'Neill",
        organisation=admin.organisation,
        roles=[Role.ADMINISTRATOR],
    )
    second.set_unusable_password()
    second.save()
    other = login(second)
    body = errors_of(other.post(reverse("administration:person_deactivate", args=[admin.pk])))
    assert f"{admin.organisation} must keep at least one active administrator".replace("'", "&#x27;") in body
    body = errors_of(post_roles(other, admin, [other_role]))
    assert "must keep at least one active administrator" in body
    admin.refresh_from_db()
    assert admin.is_active and Role.ADMINISTRATOR in admin.roles
    assert not AuditEvent.objects.filter(settings_of=admin.organisation).exists()

    # With a password, the second one counts: now the first can go.
    second.set_password("a long enough passphrase 1")
    second.save()
    other = login(second)
    assert other.post(reverse("administration:person_deactivate", args=[admin.pk])).status_code == 302
    admin.refresh_from_db()
    assert not admin.is_active


def test_removing_their_own_administrator_role_is_refused(ours, our_admins, login):
    UserFactory(username="another-admin", organisation=ours.la, roles=[Role.ADMINISTRATOR])
    body = errors_of(post_roles(login(our_admins.la), our_admins.la, [Role.CASE_OFFICER]))
    assert "You cannot remove your own administrator role" in body
    our_admins.la.refresh_from_db()
    assert our_admins.la.roles == [Role.ADMINISTRATOR]
