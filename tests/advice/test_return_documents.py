"""A return carries several documents (issue 23): each checked and scanned as one was (decision 0013),
each downloadable by whoever may see the advice, the first where returns always kept it."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice import scanning
from advice.models import AdviceDocument, AdviceReturn, ItemStatus, ScanStatus
from ehc.models import Role
from tests.api.clients import api_client_for, calling_with
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory, verified_login

from .conftest import date_fields
from .files import pdf_bytes, upload
from .test_scanning import EICAR, clamd  # noqa: F401  (the stand-in scanner, as a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(ours):
    case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer)
    request = AdviceRequestFactory(case=case, provider=ours.provider, requested_by=ours.case_officer)
    return AdviceItemFactory(request=request, team=ours.slt)


def _post(client, item, files, **extra):
    return client.post(
        reverse("advice:item_return", args=[item.pk]),
        {"document": files, **date_fields("returned_on", timezone.localdate()), **extra},
    )


def test_three_documents_are_kept_numbered_and_each_downloadable(ours, item, login):
    slt = login(ours.slt_practitioner)
    files = [upload(f"part {n}.pdf", pdf_bytes(f"part {n}")) for n in (1, 2, 3)]
    response = _post(slt, item, files)
    assert response.status_code == 302, response.content.decode()
    advice = AdviceReturn.objects.get(item=item)
    assert [doc.number for doc in advice.documents()] == [1, 2, 3]
    assert [doc.document_name for doc in advice.documents()] == ["part 1.pdf", "part 2.pdf", "part 3.pdf"]
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED

    page = slt.get(reverse("advice:item_detail", args=[item.pk])).content.decode()
    for number in (1, 2, 3):
        assert reverse("advice:return_document", args=[advice.pk, number]) in page
    # The council reads every one; the bytes are those uploaded, the name the server's.
    officer = login(ours.case_officer)
    for number in (1, 2, 3):
        download = officer.get(reverse("advice:return_document", args=[advice.pk, number]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == pdf_bytes(f"part {number}")
        assert "part" not in download["Content-Disposition"]
    assert officer.get(reverse("advice:return_document", args=[advice.pk, 4])).status_code == 404
    # The address of a return's document before there were several still serves the first.
    first = officer.get(reverse("advice:document_download", args=[item.pk]))
    assert b"".join(first.streaming_content) == pdf_bytes("part 1")


def test_one_bad_file_among_several_refuses_them_all_and_says_which(ours, item, login):
    slt = login(ours.slt_practitioner)
    files = [upload("good.pdf", pdf_bytes("good")), upload("notes.html", b"<html><script>x</script>")]
    response = _post(slt, item, files, description_of_needs="Kept as typed.")
    page = response.content.decode()
    assert response.status_code == 200
    assert "notes.html: The selected file must be a PDF or a Word document (.docx)" in page
    assert "Kept as typed." in page
    assert not AdviceReturn.objects.filter(item=item).exists()
    assert not AdviceDocument.objects.exists()


def test_documents_together_over_the_upload_limit_are_refused(ours, item, login, settings):
    settings.ADVICE_UPLOAD_MAX_BYTES = len(pdf_bytes("a")) + 10
    slt = login(ours.slt_practitioner)
    response = _post(slt, item, [upload("a.pdf", pdf_bytes("a")), upload("b.pdf", pdf_bytes("b"))])
    assert response.status_code == 200
    assert "together: choose fewer, or smaller, files" in response.content.decode()
    assert not AdviceReturn.objects.filter(item=item).exists()


def test_each_document_is_scanned_and_an_infected_one_alone_is_deleted(
    ours, item, clamd, django_capture_on_commit_callbacks  # noqa: F811
):
    client = verified_login(Client(), ours.slt_practitioner)
    infected = pdf_bytes("clean").replace(b"%%EOF", EICAR + b"\n%%EOF")
    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client, item, [upload("a.pdf", pdf_bytes("clean")), upload("b.pdf", infected)])
    assert response.status_code == 302, response.content.decode()
    advice = AdviceReturn.objects.get(item=item)
    second = AdviceDocument.objects.get(advice_return=advice, number=2)
    assert (advice.scan_status, second.scan_status) == (ScanStatus.PENDING, ScanStatus.PENDING)
    # Withheld while being checked.
    assert client.get(reverse("advice:return_document", args=[advice.pk, 2])).status_code == 302
    for callback in callbacks:
        callback()
    advice.refresh_from_db()
    second.refresh_from_db()
    assert (advice.scan_status, second.scan_status) == (ScanStatus.CLEAN, ScanStatus.INFECTED)
    assert not second.document and advice.document
    assert client.get(reverse("advice:return_document", args=[advice.pk, 1])).status_code == 200
    assert scanning.scans_due_sweep() == {}


def test_the_api_returns_several_documents_under_one_name(ours, item):
    key = api_client_for(ours.provider, Role.SPOC)[1]
    response = calling_with(key).post(
        reverse("api:advice-item-return", args=[item.pk]),
        {
            "document": [upload("a.pdf", pdf_bytes("a")), upload("b.pdf", pdf_bytes("b"))],
            "returned_on": timezone.localdate().isoformat(),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content.decode()
    documents = response.json()["advice_return"]["documents"]
    assert [(doc["number"], doc["document_name"]) for doc in documents] == [(1, "a.pdf"), (2, "b.pdf")]
