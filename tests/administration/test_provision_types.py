"""The LA's types of provision (issue 20): seeded with the defaults, added, renamed, retired (never
deleted), audited; GOV.UK errors for a bad name; only the LA's administrator; and the commissioner
role given from the people pages."""

import pytest
from django.urls import reverse

from advice.provision import DEFAULT_PROVISION_TYPES, ProvisionType
from ehc.models import AuditEvent, Role
from tests.factories import UserFactory


def test_the_list_starts_with_the_defaults_and_an_administrator_adds_one(ours, our_admins, login):
    client = login(our_admins.la)
    page = client.get(reverse("administration:provision_types")).content.decode()
    for name in DEFAULT_PROVISION_TYPES:
        assert name in page
    response = client.post(
        reverse("administration:provision_types"), {"name": "Dietetics: assessment", "is_active": "on"}
    )
    assert response.status_code == 302
    added = ProvisionType.objects.get(local_authority=ours.la, name="Dietetics: assessment")
    assert added.is_active and added.position == len(DEFAULT_PROVISION_TYPES) + 1
    assert AuditEvent.objects.filter(summary="Added a type of provision: Dietetics: assessment").exists()


def test_retiring_a_type_keeps_it_and_stops_offering_it(ours, our_admins, login):
    client = login(our_admins.la)
    client.get(reverse("administration:provision_types"))
    row = ProvisionType.objects.get(local_authority=ours.la, name=DEFAULT_PROVISION_TYPES[0])
    response = client.post(
        reverse("administration:provision_type_change", args=[row.pk]), {"name": "SLT: direct", "position": "1"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.is_active) == ("SLT: direct", False)
    assert row.history.count() == 2
    from advice.provision import provision_type_choices

    assert row.pk not in dict(provision_type_choices(ours.la))
    assert row.pk in dict(provision_type_choices(ours.la, keep=[row.pk]))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "Enter the name of the type of provision"),
        ({"name": DEFAULT_PROVISION_TYPES[2].upper()}, "There is already a type of provision with this name"),
        ({"name": "x" * 151}, "The name must be 150 characters or fewer"),
        ({"name": "Fine", "position": "first"}, "The order must be a whole number"),
    ],
)
def test_a_bad_type_shows_errors_and_changes_nothing(ours, our_admins, login, data, message):
    client = login(our_admins.la)
    client.get(reverse("administration:provision_types"))
    before = list(ProvisionType.objects.filter(local_authority=ours.la).values_list("name", "position", "is_active"))
    response = client.post(reverse("administration:provision_types"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    after = list(ProvisionType.objects.filter(local_authority=ours.la).values_list("name", "position", "is_active"))
    assert after == before


def test_only_the_las_administrator(ours, theirs, our_admins, their_admins, login):
    login(their_admins.la).get(reverse("administration:provision_types"))
    theirs_row = ProvisionType.objects.filter(local_authority=theirs.la).first()
    ours_client = login(our_admins.la)
    assert ours_client.get(reverse("administration:provision_type_change", args=[theirs_row.pk])).status_code == 404
    for user in (our_admins.provider, our_admins.icb, ours.case_officer, ours.dco):
        client = login(user)
        assert client.get(reverse("administration:provision_types")).status_code == 404
        assert client.get(reverse("administration:provision_type_change", args=[theirs_row.pk])).status_code == 404


def test_the_commissioner_role_is_given_on_the_people_pages(ours, our_admins, login):
    from administration.people import roles_for

    assert Role.COMMISSIONER in dict(roles_for(ours.icb))
    assert Role.COMMISSIONER in dict(roles_for(ours.la))
    assert Role.COMMISSIONER not in dict(roles_for(ours.provider))
    person = UserFactory(username="to-be-commissioner", organisation=ours.icb, roles=[Role.DCO])
    page = login(our_admins.icb).get(reverse("administration:person", args=[person.pk])).content.decode()
    assert 'value="commissioner"' in page
