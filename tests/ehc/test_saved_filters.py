"""Saved filters: a user names a list's filters and sort order and comes back to them in one click;
only the list's own parameters are kept, a name is refused in words, and one user's filters are
nobody else's to see or delete."""

import pytest

from ehc.models import SavedFilter
from ehc.saved_filters import MOST_PER_PAGE, SavedFilterError, query_clean, saved_filter_save

pytestmark = pytest.mark.django_db


def test_only_the_lists_own_parameters_are_kept_in_a_fixed_order():
    assert query_clean("assessments:caseload", "after=99&q=Ada&rag=red&x=1&format=csv&q=Bo") == "rag=red&q=Ada"
    assert query_clean("reports:items", "sort=-due&stage=past_due&csrfmiddlewaretoken=t&team=") == (
        "stage=past_due&sort=-due"
    )


def test_save_follow_replace_and_delete_from_the_caseload(ours, login):
    client = login(ours.case_officer)
    page = client.get("/cases/", {"rag": "red", "q": "Ada", "after": "5"}).content.decode()
    assert 'name="query" value="rag=red&amp;q=Ada"' in page
    save = {"page": "assessments:caseload", "query": "rag=red&q=Ada", "name": "Late, Ada"}
    response = client.post("/saved-filters/", save)
    assert response.status_code == 302 and response["Location"] == "/cases/?rag=red&q=Ada"
    saved = SavedFilter.objects.get(user=ours.case_officer)
    assert (saved.page, saved.name, saved.query) == ("assessments:caseload", "Late, Ada", "rag=red&q=Ada")
    page = client.get("/cases/").content.decode()
    assert 'href="/cases/?rag=red&amp;q=Ada">Late, Ada</a>' in page
    # The same name again replaces the filters saved under it.
    client.post("/saved-filters/", {"page": "assessments:caseload", "query": "show=closed", "name": " Late,  Ada "})
    assert SavedFilter.objects.get(user=ours.case_officer).query == "show=closed"
    response = client.post(f"/saved-filters/{saved.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert not SavedFilter.objects.exists()


def test_a_bad_name_or_page_is_refused_in_words_and_saves_nothing(ours, login):
    client = login(ours.dco)
    for name, message in [("", "Enter a name for these filters"), ("x" * 61, "60 characters or fewer")]:
        save = {"page": "reports:items", "query": "sort=-due", "name": name}
        response = client.post("/saved-filters/", save, follow=True)
        assert message in response.content.decode()
    response = client.post("/saved-filters/", {"page": "admin:index", "query": "", "name": "Mine"}, follow=True)
    assert "Filters cannot be saved on that page" in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_a_user_has_at_most_twenty_per_list(ours):
    for number in range(MOST_PER_PAGE):
        saved_filter_save(user=ours.dco, page="reports:items", name=f"Filter {number}", query="sort=-due")
    with pytest.raises(SavedFilterError):
        saved_filter_save(user=ours.dco, page="reports:items", name="One more", query="sort=-due")


def test_another_users_filter_is_neither_shown_nor_deleted(ours, theirs, login):
    saved = saved_filter_save(user=ours.case_officer, page="assessments:caseload", name="Mine", query="rag=red")
    for other in (ours.business_support, theirs.case_officer):
        client = login(other)
        assert "Mine</a>" not in client.get("/cases/").content.decode()
        assert client.post(f"/saved-filters/{saved.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    assert login(ours.case_officer).post("/saved-filters/999999999/delete/").status_code == 404
