"""Virus scanning of uploaded advice through clamd (issue 13, finding 4), against a stand-in server
on a loopback port that speaks clamd's INSTREAM protocol and knows the EICAR test signature."""

import datetime
import os
import socket
import socketserver
import struct
import threading

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice import scanning
from advice.models import AdviceReturn, ScanStatus
from ehc.models import AuditEvent
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory, verified_login

from .conftest import date_fields
from .files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

# The anti-virus industry's harmless test file: every scanner reports it as a virus.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
START = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


def _exactly(connection, size):
    data = b""
    while len(data) < size:
        part = connection.recv(size - len(data))
        if not part:
            raise ConnectionError("closed")
        data += part
    return data


class ClamdHandler(socketserver.BaseRequestHandler):
    """clamd's INSTREAM as documented in clamd(8): 'zINSTREAM\\0', then chunks each preceded by
    its length (4 bytes, network order), a zero length to end; one answer ending in NUL."""

    def handle(self):
        connection = self.request
        command = b""
        while not command.endswith((b"\0", b"\n")):
            part = connection.recv(1)
            if not part:
                return
            command += part
        if command[1:-1] != b"INSTREAM":
            connection.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while size := struct.unpack("!L", _exactly(connection, 4))[0]:
            data += _exactly(connection, size)
        self.server.scanned.append(data)
        if self.server.answer_error:
            connection.sendall(b"INSTREAM size limit exceeded. ERROR\0")
        elif EICAR in data:
            connection.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            connection.sendall(b"stream: OK\0")


class StandInClamd(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ClamdHandler)
        self.port = self.server_address[1]
        self.scanned = []
        self.answer_error = False


class StandInClamdOnSocket(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path):
        super().__init__(path, ClamdHandler)
        self.scanned = []
        self.answer_error = False


@pytest.fixture
def clamd(settings):
    server = StandInClamd()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMD_HOST = "127.0.0.1"
    settings.CLAMD_PORT = server.port
    settings.CLAMD_TIMEOUT_SECONDS = 5
    yield server
    server.shutdown()
    server.server_close()


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def item(ours):
    case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer)
    request = AdviceRequestFactory(case=case, provider=ours.provider, requested_by=ours.case_officer)
    return AdviceItemFactory(request=request, team=ours.slt)


def _return_with(ours, item, content, django_capture_on_commit_callbacks):
    """Upload through the real page; the callbacks queued for after the commit (the scan task among
    them) are returned, not run, so the test sees the document while it waits."""
    client = verified_login(Client(), ours.slt_practitioner)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("advice:item_return", args=[item.pk]),
            {"document": upload("advice.pdf", content), **date_fields("returned_on", timezone.localdate())},
        )
    assert response.status_code == 302, response.content.decode()
    return client, callbacks


def _run(callbacks):
    for callback in callbacks:
        callback()


def test_a_clean_document_is_withheld_while_being_checked_then_served(
    ours, item, clamd, django_capture_on_commit_callbacks
):
    content = pdf_bytes()
    client, callbacks = _return_with(ours, item, content, django_capture_on_commit_callbacks)
    stored = AdviceReturn.objects.get(item=item)
    assert stored.scan_status == ScanStatus.PENDING
    # The return stands at once: the item is returned and its timers stopped.
    item.refresh_from_db()
    assert item.status == "returned" and item.next_action_on is None

    # Nobody can download it yet, the uploader and the LA included; the pages say why.
    officer = verified_login(Client(), ours.case_officer)
    for user_client in (client, officer):
        waiting = user_client.get(reverse("advice:document_download", args=[item.pk]), follow=True)
        assert waiting.redirect_chain[0][0] == reverse("advice:item_detail", args=[item.pk])
        assert "Being checked for viruses" in waiting.content.decode()
    case_page = officer.get(reverse("assessments:case_detail", args=[item.case_id])).content.decode()
    assert "Being checked for viruses" in case_page
    assert reverse("advice:document_download", args=[item.pk]) not in case_page

    _run(callbacks)
    stored.refresh_from_db()
    assert (stored.scan_status, stored.scan_attempts, stored.scan_due_at) == (ScanStatus.CLEAN, 1, None)
    assert clamd.scanned == [content]
    download = officer.get(reverse("advice:document_download", args=[item.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content


def test_an_infected_document_is_deleted_and_the_case_is_told(
    ours, item, clamd, django_capture_on_commit_callbacks, settings
):
    client, callbacks = _return_with(ours, item, pdf_bytes(comment=EICAR), django_capture_on_commit_callbacks)
    stored = AdviceReturn.objects.get(item=item)
    path = os.path.join(settings.STORAGES["default"]["OPTIONS"]["location"], stored.document.name)
    assert os.path.exists(path)
    _run(callbacks)
    stored.refresh_from_db()
    assert stored.scan_status == ScanStatus.INFECTED
    assert stored.scan_result == "Eicar-Test-Signature FOUND"
    assert not stored.document and stored.document_name == "advice.pdf"
    assert not os.path.exists(path)
    event = AuditEvent.objects.get(case=item.case, summary__startswith="Virus found")
    assert "Eicar-Test-Signature" in event.summary and ours.slt.name in event.summary
    page = client.get(reverse("advice:item_detail", args=[item.pk])).content.decode()
    assert "A virus was found: the document was deleted" in page
    refused = client.get(reverse("advice:document_download", args=[item.pk]))
    assert refused.status_code == 302
    # Running the scan again changes nothing.
    assert scanning.advice_document_scan(advice_return_id=stored.pk) is None


def test_a_scanner_that_is_down_loses_nothing_and_the_sweep_catches_up(
    ours, item, clamd, django_capture_on_commit_callbacks, settings
):
    settings.CLAMD_PORT = _closed_port()
    with time_machine.travel(START, tick=False) as clock:
        _, callbacks = _return_with(ours, item, pdf_bytes(), django_capture_on_commit_callbacks)
        _run(callbacks)
        stored = AdviceReturn.objects.get(item=item)
        assert (stored.scan_status, stored.scan_attempts) == (ScanStatus.PENDING, 1)
        assert stored.scan_due_at > timezone.now()
        # The sweep does not try again before the row's next try is due.
        assert scanning.scans_due_sweep() == {}
        settings.CLAMD_PORT = clamd.port
        clock.shift(datetime.timedelta(minutes=3))
        assert scanning.scans_due_sweep() == {ScanStatus.CLEAN: 1}
        assert scanning.scans_due_sweep() == {}
    stored.refresh_from_db()
    assert (stored.scan_status, stored.scan_attempts) == (ScanStatus.CLEAN, 2)
    assert len(clamd.scanned) == 1


def test_a_scan_claimed_by_a_worker_that_died_is_taken_up_after_its_lease(ours, item, clamd):
    stored = AdviceReturn.objects.create(item=item, returned_by=ours.slt_practitioner, document_name="a.pdf")
    stored.document.save("advice", upload("a.pdf", pdf_bytes()), save=False)
    scanning.scan_prepare(stored)
    stored.save()
    with time_machine.travel(START, tick=False) as clock:
        AdviceReturn.objects.filter(pk=stored.pk).update(scan_due_at=timezone.now())
        assert scanning._claim(stored.pk, timezone.now()) is not None  # ...and the worker is killed
        assert scanning.scans_due_sweep() == {}
        clock.shift(scanning.SCAN_LEASE)
        assert scanning.scans_due_sweep() == {ScanStatus.CLEAN: 1}


def test_a_scanner_error_withholds_the_document(ours, item, clamd, django_capture_on_commit_callbacks):
    clamd.answer_error = True
    client, callbacks = _return_with(ours, item, pdf_bytes(), django_capture_on_commit_callbacks)
    _run(callbacks)
    stored = AdviceReturn.objects.get(item=item)
    assert stored.scan_status == ScanStatus.FAILED
    assert stored.scan_result == "INSTREAM size limit exceeded. ERROR"
    assert client.get(reverse("advice:document_download", args=[item.pk])).status_code == 302
    assert AuditEvent.objects.filter(case=item.case, summary__contains="could not be checked for viruses").exists()


def test_without_a_scanner_documents_are_marked_not_scanned_and_served(
    ours, item, settings, django_capture_on_commit_callbacks
):
    settings.CLAMD_HOST = settings.CLAMD_SOCKET = ""
    client, callbacks = _return_with(ours, item, pdf_bytes(), django_capture_on_commit_callbacks)
    _run(callbacks)
    stored = AdviceReturn.objects.get(item=item)
    assert stored.scan_status == ScanStatus.NOT_SCANNED
    assert client.get(reverse("advice:document_download", args=[item.pk])).status_code == 200


def test_a_withheld_document_is_still_404_to_another_organisation(
    ours, theirs, item, clamd, django_capture_on_commit_callbacks
):
    _return_with(ours, item, pdf_bytes(), django_capture_on_commit_callbacks)
    for outsider in (theirs.case_officer, theirs.slt_practitioner):
        response = verified_login(Client(), outsider).get(reverse("advice:document_download", args=[item.pk]))
        assert response.status_code == 404


def test_clamd_on_a_unix_socket(ours, item, settings, tmp_path, django_capture_on_commit_callbacks):
    server = StandInClamdOnSocket(str(tmp_path / "clamd.sock"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CLAMD_HOST = ""
    settings.CLAMD_SOCKET = str(tmp_path / "clamd.sock")
    try:
        _, callbacks = _return_with(ours, item, pdf_bytes(comment=EICAR), django_capture_on_commit_callbacks)
        _run(callbacks)
    finally:
        server.shutdown()
        server.server_close()
    assert AdviceReturn.objects.get(item=item).scan_status == ScanStatus.INFECTED
    assert len(server.scanned) == 1
