"""A page not found is the product's own page in every mode: `make run` runs with DEBUG on, where
Django would otherwise answer with its debug page listing every URL pattern of the site."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# Django's debug 404 page says these; the product's page says neither.
DEBUG_PAGE_MARKS = ("Using the URLconf defined in", "You're seeing this error because you have")


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_address_gets_the_products_page_not_found(settings, debug, ours, login):
    settings.DEBUG = debug
    for client in (Client(), login(ours.case_officer)):
        response = client.get("/no-such-page/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "Page not found" in body
        assert not any(mark in body for mark in DEBUG_PAGE_MARKS)


@pytest.mark.parametrize("debug", [True, False])
def test_a_case_not_there_gets_the_products_page_not_found(settings, debug, ours, login):
    """Http404 raised by a view (a case that does not exist, or one the user may not see)."""
    settings.DEBUG = debug
    response = login(ours.case_officer).get("/cases/999999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body
    assert not any(mark in body for mark in DEBUG_PAGE_MARKS)
    assert "No Case matches" not in body and "Raised by" not in body
