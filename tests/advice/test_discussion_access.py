"""Who is on a case's discussion (advice.discussion.access), tested as the demo's people are made: the
council's case officer, the SPOC and practitioners of the teams asked, and the area's DCO may read and
post; another council's officer, a provider never asked, a practitioner of a team not asked, a partner
holding a share of the case, the director's letters-only account and an administrator get the 404 a
missing case gets, on the page, on a post and on an attachment."""

import pytest
from django.urls import reverse

from advice.discussion.access import case_professionals, discussion_cases
from advice.discussion.models import CaseMessage, MessageAttachment
from assessments.sharing import case_share
from ehc.models import LocalAuthoritySettings, Role, User
from tests.factories import LocalAuthorityFactory, UserFactory

from .discussion import discussion_url, post
from .files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

ON_THE_CASE = ["case.officer", "case.officer2", "business.support", "send.manager", "spoc", "head.of.service",
               "slt.practitioner", "ot.practitioner", "ot.lead", "dco"]  # fmt: skip
NOT_ON_IT = ["paeds.practitioner", "alliance.director", "admin", "provider.admin", "icb.admin"]


@pytest.fixture
def attachment(demo, demo_case):
    message = post(
        demo_case,
        demo.users["slt.practitioner"],
        "Our report is attached.",
        uploads=[_checked(upload("report.pdf", pdf_bytes()))],
    )
    return message.attachments.get()


def _checked(file):
    from advice.uploads import check_upload

    return file, check_upload(file)


@pytest.fixture
def partner(demo, demo_case):
    """A partner council's officer holding a current share of the case (assessments.sharing)."""
    other = LocalAuthorityFactory(name="Council Partner", short_name="LA-Partner", icb=demo.icb)
    LocalAuthoritySettings.for_la(demo.la).partners.add(other)
    holder = UserFactory(username="partner.officer", organisation=other, roles=[Role.CASE_OFFICER])
    case_share(case=demo_case, user=demo.users["case.officer"], with_user=holder)
    return holder


def _outsiders(demo, theirs, partner):
    return {
        **{name: demo.users[name] for name in NOT_ON_IT},
        "another council's case officer": theirs.case_officer,
        "a provider never asked (its SPOC)": theirs.spoc,
        "a provider never asked (its practitioner)": theirs.slt_practitioner,
        "another area's DCO": theirs.dco,
        "a partner holding a share": partner,
    }


def test_the_professionals_on_the_case_read_post_and_download(demo, demo_case, attachment, login):
    for name in ON_THE_CASE:
        client = login(demo.users[name])
        page = client.get(discussion_url(demo_case))
        assert page.status_code == 200, name
        assert "Our report is attached." in page.content.decode(), name
        posted = client.post(discussion_url(demo_case), {"text": f"A note from {name}"})
        assert posted.status_code == 302, (name, posted.content.decode()[:500])
        download = client.get(reverse("advice:discussion_attachment", args=[demo_case.pk, attachment.pk]))
        assert download.status_code == 200, name
        assert b"".join(download.streaming_content) == pdf_bytes()
    assert CaseMessage.objects.filter(case=demo_case).count() == 1 + len(ON_THE_CASE)


def test_everyone_else_gets_the_404_of_a_missing_case_and_changes_nothing(
    demo, demo_case, attachment, partner, theirs, login
):
    missing_page = login(demo.users["case.officer"]).get(reverse("advice:discussion", args=[10**9]))
    assert missing_page.status_code == 404
    before = CaseMessage.objects.count(), MessageAttachment.objects.count()
    for who, user in _outsiders(demo, theirs, partner).items():
        client = login(user)
        assert client.get(discussion_url(demo_case)).status_code == 404, who
        assert client.post(discussion_url(demo_case), {"text": "Let me in"}).status_code == 404, who
        download = client.get(reverse("advice:discussion_attachment", args=[demo_case.pk, attachment.pk]))
        assert download.status_code == 404, who
    assert (CaseMessage.objects.count(), MessageAttachment.objects.count()) == before
    # The partner still reads the case itself through the share: only the discussion is closed to them.
    case_page = login(partner).get(reverse("assessments:case_detail", args=[demo_case.pk]))
    assert case_page.status_code == 200
    assert discussion_url(demo_case) not in case_page.content.decode()


def test_an_attachment_is_reached_only_through_its_own_case(demo, demo_case, attachment, login):
    from tests.factories import CaseFactory

    other_case = CaseFactory(local_authority=demo.la, case_officer=demo.users["case.officer"])
    client = login(demo.users["case.officer"])
    assert client.get(reverse("advice:discussion_attachment", args=[other_case.pk, attachment.pk])).status_code == 404


def test_the_list_of_professionals_agrees_with_who_may_open_the_discussion(demo, demo_case, partner, theirs):
    """`case_professionals` (mentions, the panel) and `discussion_cases` (the pages) state one rule."""
    listed = set(case_professionals(demo_case).values_list("pk", flat=True))
    for user in User.objects.filter(is_active=True).select_related("organisation"):
        on = discussion_cases(user).filter(pk=demo_case.pk).exists()
        assert on == (user.pk in listed), user.username
    assert {demo.users[name].pk for name in ON_THE_CASE} <= listed


def test_need_to_know_narrows_the_councils_side_as_it_narrows_the_case(demo, demo_case, login):
    """Where the council restricts case officers to their own cases, another officer is off the discussion."""
    LocalAuthoritySettings.objects.filter(local_authority=demo.la).update(case_access_restricted_to_team=True)
    other = User.objects.select_related("organisation__la_settings").get(pk=demo.users["case.officer2"].pk)
    assert login(other).get(discussion_url(demo_case)).status_code == 404
    assert not case_professionals(demo_case).filter(pk=other.pk).exists()
    assert login(demo.users["business.support"]).get(discussion_url(demo_case)).status_code == 200
