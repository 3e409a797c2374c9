"""The API's docs page in a real browser: Swagger UI draws every endpoint from the schema with no
request leaving the service (the machine's network is closed) and nothing refused by the site's
Content-Security-Policy."""

import pytest

from .helpers import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_docs_page_draws_the_api_offline_under_the_csp(journey, live_server):
    page = journey.page
    outside, refused = [], []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))

    def only_ours(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("EHC health advice API")
    for path in ("/api/v1/cases/", "/api/v1/advice-items/{id}/return/", "/api/v1/escalations/{id}/response/"):
        expect(page.locator(f".opblock-summary-path[data-path='{path}']").first).to_be_visible()
    assert outside == [] and refused == []
