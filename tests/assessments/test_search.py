"""The header's search: by name (any part, accents and capitals ignored), date of birth, NHS number,
UPN or case reference, among the cases the user may see; bad input gets a message, never a 500."""

import datetime
from html import escape

import pytest

from assessments.search import SearchError, search_parse

from ..escalation.conftest import make_request
from ..factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    "typed, kind, value",
    [
        ("Siobhán O'Neill", "name", "Siobhán O'Neill"),
        ("  li  ", "name", "li"),
        ("14/05/2018", "date_of_birth", datetime.date(2018, 5, 14)),
        ("14-5-2018", "date_of_birth", datetime.date(2018, 5, 14)),
        ("14.05.2018", "date_of_birth", datetime.date(2018, 5, 14)),
        ("2018-05-14", "date_of_birth", datetime.date(2018, 5, 14)),
        ("14 May 2018", "date_of_birth", datetime.date(2018, 5, 14)),
        ("14 may 2018", "date_of_birth", datetime.date(2018, 5, 14)),
        ("14052018", "date_of_birth", datetime.date(2018, 5, 14)),
        ("943 476 5919", "nhs_number", "9434765919"),
        ("9434765919", "nhs_number", "9434765919"),
        ("9276308686", "uln", "9276308686"),
        # Not an NHS number (its check digit is wrong) but a valid ULN.
        ("943 476 5918", "uln", "9434765918"),
        ("b801200005001", "upn", "B801200005001"),
        ("ehc-2026-00042", "reference", "EHC-2026-00042"),
    ],
)
def test_what_a_search_is_for(typed, kind, value):
    search = search_parse(typed, today=TODAY)
    assert (search.kind, search.value) == (kind, value)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter a name"),
        ("   ", "Enter a name"),
        ("943 476 5917", "not a valid NHS number or unique learner number"),
        ("943 476 591", "has 10 digits"),
        ("A801200005001", "not a valid unique pupil number"),
        ("31/02/2018", "Enter a real date of birth"),
        ("14/05/18", "year in full"),
        ("14/05/2027", "today or in the past"),
        ("j", "at least 2 letters"),
        ("<script>", "at least 2 letters"),
        ("Rowan%", "at least 2 letters"),
        ("x" * 101, "100 characters or fewer"),
    ],
)
def test_what_cannot_be_searched_for_is_said(typed, message):
    with pytest.raises(SearchError) as error:
        search_parse(typed, today=TODAY)
    assert message in str(error.value)


@pytest.fixture
def children(ours, theirs):
    return {
        "siobhan": CaseFactory(
            local_authority=ours.la, case_officer=ours.case_officer, first_name="Siobhán", last_name="O'Neill",
            date_of_birth=datetime.date(2017, 6, 9), nhs_number="9434765919", upn="B801200005001",
            reference="EHC-2026-00042",
        ),
        "li": CaseFactory(
            local_authority=ours.la, case_officer=ours.case_officer, first_name="Mei", last_name="Li",
            date_of_birth=datetime.date(2017, 6, 9),
        ),
        "elsewhere": CaseFactory(
            local_authority=theirs.la, first_name="Siobhan", last_name="O'Neill",
            date_of_birth=datetime.date(2017, 6, 9), nhs_number="9434765919",
        ),
    }


def _found(client, q):
    response = client.get("/cases/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "q",
    ["siobhan", "SIOBHÁN", "siob", "o'neill", "O’Neill", "oneill", "ONEILL SIOB", "Siobhan O'Neill", "9434765919",
     "943 476 5919", "09/06/2017", "9 June 2017", "B801200005001", "EHC-2026-00042"],
)
def test_a_case_officer_finds_their_councils_child_by_anything(children, ours, login, q):
    page = _found(login(ours.case_officer), q)
    assert f'href="/cases/{children["siobhan"].pk}/"' in page
    assert escape("Siobhán O'Neill") in page
    # The other council's child of the same name and NHS number is not theirs to see.
    assert f'href="/cases/{children["elsewhere"].pk}/"' not in page


def test_a_short_name_matches_the_start_of_a_name(children, ours, login):
    client = login(ours.case_officer)
    page = _found(client, "li")
    assert f'href="/cases/{children["li"].pk}/"' in page
    assert f'href="/cases/{children["siobhan"].pk}/"' not in page  # no word of that name starts "li"
    assert "1 case for" in page


def test_a_date_of_birth_finds_every_child_born_that_day_the_user_sees(children, ours, login):
    page = _found(login(ours.case_officer), "9/6/2017")
    assert "2 cases for born 9 June 2017" in page


def test_a_spoc_finds_only_the_children_their_provider_was_asked_about(children, ours, login):
    asked = make_request(ours, notified_on=datetime.date(2026, 11, 2), first_name="Rowan", last_name="Calder")
    client = login(ours.spoc)
    assert f'href="/cases/{asked.case.pk}/"' in _found(client, "calder")
    page = _found(client, "siobhan")
    assert "No case you can see matches" in page and f'href="/cases/{children["siobhan"].pk}/"' not in page


def test_the_dco_finds_the_children_of_every_council_in_the_area(children, ours, theirs, login):
    page = _found(login(ours.dco), "9434765919")
    assert f'href="/cases/{children["siobhan"].pk}/"' in page
    assert f'href="/cases/{children["elsewhere"].pk}/"' not in page  # another ICB's council


def test_bad_input_gets_the_error_summary(ours, login):
    page = _found(login(ours.case_officer), "943 476 5917")
    assert "There is a problem" in page and "not a valid NHS number" in page
    assert 'href="#id_q"' in page


def test_an_administrator_has_no_search(ours, login):
    admin = UserFactory(username="admin-search", organisation=ours.la, roles=["administrator"])
    client = login(admin)
    assert client.get("/cases/search/", {"q": "siobhan"}).status_code == 404
    assert 'id="header-search"' not in client.get("/", follow=True).content.decode()


def test_the_search_box_is_in_every_case_workers_header(ours, login):
    for user in (ours.spoc, ours.case_officer, ours.dco, ours.slt_practitioner):
        assert 'id="header-search"' in login(user).get("/", follow=True).content.decode()
