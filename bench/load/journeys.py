"""Each role's main journeys, as functions of an HTTP client with Locust's interface (get/post with
`name=`): the locustfile runs them under load, tests/bench/test_load.py runs each once against a live
server. Requests are named by page ("case page"), never by a URL with ids, so the figures are per page.

A journey that finds nothing to do (an empty queue) does what a person would: looks and moves on.
"""

import datetime
import functools
import io
import random

from .accounts import totp_code
from .pages import PageError, form_values, ids, set_date

FIRST_NAMES = ["Alex", "Sam", "Jordan", "Riley", "Casey", "Morgan", "Rowan", "Eden", "Skye", "Quinn"]
LAST_NAMES = ["Ashdown", "Brindle", "Carrow", "Dunmore", "Elston", "Fenwick", "Garside", "Holloway"]


def _ok(response, what):
    """The response, or PageError when it is not a page (Locust has counted the status already)."""
    if response.status_code != 200:
        raise PageError(f"{what}: HTTP {response.status_code}")
    return response.text


def _post_form(client, url, values, *, name, files=None, question=None):
    """Post a page's form. A redirect is success; the form back with an error summary is a failure,
    unless the page asks the `question` (a marker in the page) a person answers before going on."""
    with client.post(url, data=values, files=files, name=name, allow_redirects=False, catch_response=True) as response:
        if response.status_code in (302, 303):
            response.success()
        elif response.status_code == 200 and question and question in response.text:
            response.success()
        elif response.status_code == 200 and "govuk-error-summary" in response.text:
            response.failure(f"{name}: the form came back with errors")
        else:
            response.failure(f"{name}: HTTP {response.status_code}")
        return response


def sign_in(client, username, password):
    """The sign-in form, then the two-factor page with the authenticator's current code."""
    page = _ok(client.get("/sign-in/", name="sign-in"), "sign-in")
    _, values = form_values(page, field="username")
    values.update(username=[username], password=[password])
    _post_form(client, "/sign-in/", values, name="sign-in")
    page = _ok(client.get("/account/two-factor/", name="two-factor"), "two-factor")
    _, values = form_values(page, field="code")
    values["code"] = [totp_code(username)]
    response = _post_form(client, "/account/two-factor/", values, name="two-factor", question="already used")
    if response.status_code == 200:  # the code of this step was just used: the next one is accepted
        _, values = form_values(response.text, field="code")
        values["code"] = [totp_code(username, drift=1)]
        _post_form(client, "/account/two-factor/", values, name="two-factor")


def home(client):
    _ok(client.get("/", name="home"), "home")


# Case officers -------------------------------------------------------------------------------


def caseload(client, rng=random):
    """The caseload (all open cases or the officer's own), a case page, and that case's request for
    health advice, which lists its outstanding advice."""
    mine = rng.random() < 0.3
    page = _ok(client.get("/cases/?mine=on" if mine else "/cases/", name="caseload"), "caseload")
    cases = ids(r'href="/cases/(\d+)/"', page)
    if not cases:
        return None
    case = rng.choice(cases)
    page = _ok(client.get(f"/cases/{case}/", name="case page"), "case page")
    requests = ids(r'href="/advice/requests/(\d+)/"', page)
    if requests:
        _ok(
            client.get(f"/advice/requests/{rng.choice(requests)}/", name="request page (outstanding advice)"), "request"
        )
    return case


def create_request(client, rng=random):
    """Record a new request for an EHC needs assessment, then ask a provider for health advice."""
    page = _ok(client.get("/cases/new/", name="new case form"), "new case form")
    _, values = form_values(page, field="first_name")
    born = datetime.date.today() - datetime.timedelta(days=rng.randint(3 * 365, 15 * 365))
    values.update(
        first_name=[rng.choice(FIRST_NAMES)],
        last_name=[f"{rng.choice(LAST_NAMES)}-{rng.randint(1000, 9999)}"],
        address=["1 Load Test Street\nHarbourside"],
        family_views=["We would like help with speech and with getting to school."],
    )
    set_date(values, "date_of_birth", born)
    set_date(values, "received_on", datetime.date.today())
    # A child born the same day with a similar name is listed first: "is it one of these?"
    response = _post_form(client, "/cases/new/", values, name="new case form", question='name="same_child"')
    if response.status_code == 200 and 'name="same_child"' in response.text:
        values["same_child"] = ["new"]  # a possible duplicate listed: this is a new child
        response = _post_form(client, "/cases/new/", values, name="new case form")
    location = response.headers.get("Location", "")
    case = ids(r"/cases/(\d+)/", location)
    if not case:
        raise PageError(f"no case page after recording a case (Location {location!r})")
    _ok(client.get(f"/cases/{case[0]}/", name="case page"), "case page")
    url = f"/advice/cases/{case[0]}/request/"
    page = _ok(client.get(url, name="request health advice form"), "request health advice form")
    _, values = form_values(page, field="provider")
    providers = ids(r'<option value="(\d+)"', page)
    if not providers:
        raise PageError("no provider to ask")
    values["provider"] = [str(providers[0])]
    values["services_named"] = ["slt"]
    _post_form(client, url, values, name="request health advice form")
    return case[0]


# SPOCs ---------------------------------------------------------------------------------------


def spoc_queue(client, rng=random):
    """The SPOC's queue; acknowledges one of the requests awaiting acknowledgement, if any."""
    page = _ok(client.get("/advice/spoc/", name="SPOC queue"), "SPOC queue")
    awaiting = ids(r'name="request" type="checkbox" value="(\d+)"', page)
    if not awaiting:
        return None
    pk = rng.choice(awaiting[:10])
    url = f"/advice/requests/{pk}/acknowledge/"
    response = client.get(url, name="acknowledge form", allow_redirects=False)
    if response.status_code in (302, 303):  # another SPOC of the provider acknowledged it first
        return None
    page = _ok(response, "acknowledge form")
    _, values = form_values(page, field="note")
    values["note"] = ["Acknowledged in the load test."]
    _post_form(client, url, values, name="acknowledge form")
    return pk


# Practitioners -------------------------------------------------------------------------------


@functools.cache
def small_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def team_queue(client, rng=random, *, return_advice=True):
    """The team's queue; returns one outstanding item's advice with a small PDF."""
    page = _ok(client.get("/advice/team/", name="team queue"), "team queue")
    items = ids(r'href="/advice/items/(\d+)/(?:return/)?"', page)
    if not items or not return_advice:
        return None
    pk = rng.choice(items[:10])
    _ok(client.get(f"/advice/items/{pk}/", name="advice item page"), "advice item page")
    url = f"/advice/items/{pk}/return/"
    response = client.get(url, name="return advice form", allow_redirects=False)
    if response.status_code in (302, 303, 404):  # returned by a colleague meanwhile
        return None
    page = _ok(response, "return advice form")
    _, values = form_values(page, field="description_of_needs")
    values.pop("document", None)
    set_date(values, "returned_on", datetime.date.today())
    values["action"] = ["return"]  # the button that returns it ("draft" would save a draft)
    files = {"document": ("advice.pdf", small_pdf(), "application/pdf")}
    _post_form(client, url, values, name="return advice form", files=files)
    return pk


# The DCO -------------------------------------------------------------------------------------


def dco_dashboard(client, rng=random):
    _ok(client.get("/reports/dashboard/", name="DCO dashboard"), "DCO dashboard")
    _ok(client.get("/reports/dashboard/advice/?stage=past_due", name="outstanding advice list"), "advice list")


def responses_owed(client, rng=random):
    """Responses owed; downloads one escalation 1 letter as a PDF."""
    page = _ok(client.get("/escalation/responses/", name="responses owed"), "responses owed")
    letters = ids(r'href="/escalation/letters/(\d+)/download/"', page)
    if not letters:
        return None
    pk = rng.choice(letters[:20])
    with client.get(f"/escalation/letters/{pk}/download/", name="letter PDF", catch_response=True) as response:
        if response.status_code == 200 and response.content[:5] == b"%PDF-":
            response.success()
        else:
            response.failure(f"letter PDF: HTTP {response.status_code}, {response.content[:5]!r}")
    return pk


# Others --------------------------------------------------------------------------------------


def heads_of_service(client, rng=random):
    _ok(client.get("/escalation/heads-of-service/", name="heads of service escalations"), "escalations")


def administration(client, rng=random):
    _ok(client.get("/administration/", name="administration"), "administration")
    _ok(client.get("/administration/people/", name="administration people"), "people")


def ad_education(client, rng=random):
    _ok(client.get("/escalation/letters/approvals/", name="letters to approve"), "letters to approve")
    _ok(client.get("/reports/dashboard/", name="LA dashboard"), "LA dashboard")
