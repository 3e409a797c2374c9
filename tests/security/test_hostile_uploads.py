"""Hostile uploads through the real return page: each file is refused with a GOV.UK error (never a
500) and leaves nothing behind, or is accepted, stored under a name the server chose and served
back only as an attachment of the right type.

The corpus is made here, in code, so it is the same on every machine. Each file says whether it
must be refused ("refuse") or may be accepted ("accept": a clean document, perhaps under a hostile
name). A file that must be refused and was accepted counts as accepted-unsafe.
"""

import io
import os
import re
import urllib.parse
import zipfile
import zlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceDocument, AdviceReturn
from tests.advice import files as made
from tests.advice import pdfs
from tests.advice.files import HTML_BYTES, docx_bytes, docx_many_entries, docx_with_macros, docx_zip_bomb, pdf_bytes
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory, verified_login

from . import figures

LIMIT = 256 * 1024
BOUNDARY = "----hostile-upload-boundary"
PDF_CT = "application/pdf"
# Path separators, C0 and C1 controls, and the bidirectional marks that can disguise an extension.
UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
DOCX_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pdf_with(catalog_extra: bytes, body: bytes = b"") -> bytes:
    """A small, well-formed looking PDF whose catalog carries `catalog_extra`."""
    return (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" + body + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _pdf_object_stream(hidden: bytes) -> bytes:
    packed = zlib.compress(b"3 0 << " + hidden + b" >>")
    return _pdf_with(
        b"",
        b"4 0 obj << /Type /ObjStm /N 1 /First 6 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>\nstream\n"
        + packed
        + b"\nendstream\nendobj\n",
    )


def _zip(entries: dict, prefix: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    buffer.write(prefix)
    with zipfile.ZipFile(buffer, "a" if prefix else "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx_with_rels(relationship: str) -> bytes:
    rels = (
        '<?xml version="1.0"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + relationship + "</Relationships>"
    )
    return docx_bytes(extra_entries={"word/_rels/document.xml.rels": rels})


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def corpus():
    """(label, file name, bytes, declared content type, expectation)."""
    real_pdf = pdf_bytes()
    files = [
        ("HTML renamed .pdf", "advice.pdf", HTML_BYTES, PDF_CT, "refuse"),
        (
            "SVG with script renamed .pdf",
            "advice.pdf",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
            PDF_CT,
            "refuse",
        ),
        ("PNG renamed .pdf", "advice.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, PDF_CT, "refuse"),
        ("Windows program renamed .pdf", "advice.pdf", b"MZ\x90\x00" + b"\x00" * 200, PDF_CT, "refuse"),
        (
            "old .doc renamed .docx",
            "advice.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
            DOCX_CT,
            "refuse",
        ),
        ("PDF with /JavaScript", "a.pdf", _pdf_with(b"/Names << /JavaScript 3 0 R >>"), PDF_CT, "refuse"),
        (
            "PDF with /JS action",
            "a.pdf",
            _pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            PDF_CT,
            "refuse",
        ),
        ("PDF with /OpenAction", "a.pdf", _pdf_with(b"/OpenAction 3 0 R"), PDF_CT, "refuse"),
        ("PDF with /AA", "a.pdf", _pdf_with(b"/AA << /O 3 0 R >>"), PDF_CT, "refuse"),
        ("PDF with /Launch", "a.pdf", _pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>"), PDF_CT, "refuse"),
        (
            "PDF with /EmbeddedFile",
            "a.pdf",
            _pdf_with(b"", b"3 0 obj << /Type /EmbeddedFile >> endobj\n"),
            PDF_CT,
            "refuse",
        ),
        ("PDF with /EmbeddedFiles tree", "a.pdf", _pdf_with(b"/Names << /EmbeddedFiles 3 0 R >>"), PDF_CT, "refuse"),
        (
            "PDF with hex-escaped /J#61vaScript",
            "a.pdf",
            _pdf_with(b"/Names << /J#61vaScript 3 0 R >>"),
            PDF_CT,
            "refuse",
        ),
        (
            "PDF with /JavaScript in an object stream",
            "a.pdf",
            _pdf_object_stream(b"/S /JavaScript /JS (x)"),
            PDF_CT,
            "refuse",
        ),
        (
            "PDF with /RichMedia",
            "a.pdf",
            _pdf_with(b"", b"3 0 obj << /Subtype /RichMedia >> endobj\n"),
            PDF_CT,
            "refuse",
        ),
        ("PDF with an XFA form", "a.pdf", _pdf_with(b"/AcroForm << /XFA 3 0 R >>"), PDF_CT, "refuse"),
        ("PDF without an end marker", "a.pdf", b"%PDF-1.4\n" + b"x" * 2000, PDF_CT, "refuse"),
        (
            "HTML inside a PDF",
            "a.pdf",
            _pdf_with(b"", b"<html><body><script>alert(1)</script></body></html>\n"),
            PDF_CT,
            "refuse",
        ),
        ("PDF header then a zip", "a.pdf", real_pdf + _zip({"evil.html": "<script>x</script>"}), PDF_CT, "refuse"),
        (
            "zip with a PDF header prefix",
            "a.pdf",
            _zip({"evil.html": "<script>x</script>"}, prefix=b"%PDF-1.4\n%%EOF\n"),
            PDF_CT,
            "refuse",
        ),
        ("DOCX with vbaProject.bin", "advice.docx", docx_with_macros(), DOCX_CT, "refuse"),
        (
            "DOCX with a macro content type only",
            "advice.docx",
            docx_bytes(main="application/vnd.ms-word.document.macroEnabled.main+xml"),
            DOCX_CT,
            "refuse",
        ),
        (
            "DOCX with vbaProject.bin not declared",
            "advice.docx",
            docx_bytes(extra_entries={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
            DOCX_CT,
            "refuse",
        ),
        (
            "DOCX with ActiveX",
            "advice.docx",
            docx_bytes(extra_types='<Default Extension="bin" ContentType="application/vnd.ms-office.activeX"/>'),
            DOCX_CT,
            "refuse",
        ),
        (".docm named .docm", "advice.docm", docx_bytes(), DOCX_CT, "refuse"),
        ("zip bomb by ratio", "advice.docx", docx_zip_bomb(megabytes=20), DOCX_CT, "refuse"),
        ("zip bomb by entry count", "advice.docx", docx_many_entries(1200), DOCX_CT, "refuse"),
        ("plain zip named .docx", "advice.docx", _zip({"notes.txt": "hello"}), DOCX_CT, "refuse"),
        (
            "DOCX with an external template",
            "advice.docx",
            _docx_with_rels(
                f'<Relationship Id="r9" Type="{REL}attachedTemplate" Target="http://127.0.0.1/t.dotm" '
                'TargetMode="External"/>'
            ),
            DOCX_CT,
            "refuse",
        ),
        (
            "DOCX with an external OLE object",
            "advice.docx",
            _docx_with_rels(
                f'<Relationship Id="r9" Type="{REL}oleObject" Target="\\\\evil.example\\x" TargetMode="External"/>'
            ),
            DOCX_CT,
            "refuse",
        ),
        # Issue 13: active content that only a full parse finds, and Word's other ways to run code.
        (
            "PDF with /OpenAction and /JavaScript in an ASCIIHex object stream",
            "a.pdf",
            pdfs.pdf_script_in_object_stream("ASCIIHexDecode"),
            PDF_CT,
            "refuse",
        ),
        (
            "PDF with /OpenAction and /JavaScript in an ASCII85 object stream",
            "a.pdf",
            pdfs.pdf_script_in_object_stream("ASCII85Decode"),
            PDF_CT,
            "refuse",
        ),
        ("PDF with an incremental update adding a script", "a.pdf", pdfs.pdf_update_adding_script(), PDF_CT, "refuse"),
        ("PDF with an incremental update adding /Launch", "a.pdf", pdfs.pdf_update_adding_launch(), PDF_CT, "refuse"),
        (
            "PDF with an incremental update adding an /EmbeddedFile",
            "a.pdf",
            pdfs.pdf_update_adding_attachment(),
            PDF_CT,
            "refuse",
        ),
        (
            "PDF with an incremental update adding /SubmitForm",
            "a.pdf",
            pdfs.pdf_update_adding_submit_form(),
            PDF_CT,
            "refuse",
        ),
        ("DOCX with DDEAUTO in a simple field", "advice.docx", made.docx_dde_simple_field(), DOCX_CT, "refuse"),
        ("DOCX with DDEAUTO split over runs", "advice.docx", made.docx_dde_complex_field(), DOCX_CT, "refuse"),
        ("DOCX with an INCLUDETEXT field", "advice.docx", made.docx_include_field(), DOCX_CT, "refuse"),
        ("DOCX with an embedded OLE package", "advice.docx", made.docx_ole_package(), DOCX_CT, "refuse"),
        ("DOCX with an altChunk", "advice.docx", made.docx_alt_chunk(), DOCX_CT, "refuse"),
        ("DOCX with an ActiveX control part", "advice.docx", made.docx_activex_control(), DOCX_CT, "refuse"),
        ("DOCX with entity declarations", "advice.docx", made.docx_with_doctype(), DOCX_CT, "refuse"),
        ("empty file", "advice.pdf", b"", PDF_CT, "refuse"),
        ("one byte over the limit", "advice.pdf", pdf_bytes(padding=LIMIT + 1 - len(pdf_bytes())), PDF_CT, "refuse"),
        ("real PDF", "advice.pdf", real_pdf, PDF_CT, "accept"),
        ("real DOCX", "advice.docx", docx_bytes(), DOCX_CT, "accept"),
        (
            "DOCX with an external hyperlink",
            "advice.docx",
            _docx_with_rels(
                f'<Relationship Id="r9" Type="{REL}hyperlink" Target="https://www.gov.uk/" TargetMode="External"/>'
            ),
            DOCX_CT,
            "accept",
        ),
        ("exactly the limit", "advice.pdf", pdf_bytes(padding=LIMIT - len(pdf_bytes())), PDF_CT, "accept"),
        ("path traversal name", "../../../etc/passwd.pdf", real_pdf, PDF_CT, "accept"),
        ("Windows path name", "..\\..\\windows\\win.ini.pdf", real_pdf, PDF_CT, "accept"),
        ("NUL in the name", "advice\x00.exe.pdf", real_pdf, PDF_CT, "accept"),
        ("right-to-left override in the name", "advice\u202efdp.exe", real_pdf, PDF_CT, "accept"),
        ("CR, LF and quotes in the name", 'a"\r\nX-Evil: 1;.pdf', real_pdf, PDF_CT, "accept"),
        ("300-character name", "a" * 296 + ".pdf", real_pdf, PDF_CT, "accept"),
    ]
    return files


def _multipart(fields: dict, files: list) -> bytes:
    """A multipart body built by hand: the test client would clean file names before sending them."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for filename, content, content_type in files:
        safe = filename.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
        name_params = f'filename="{safe}"'
        if not filename.isascii():
            # RFC 2231, as browsers send names in other scripts; Django decodes it to the real name.
            name_params = f"filename=\"advice.pdf\"; filename*=UTF-8''{urllib.parse.quote(filename)}"
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="document"; {name_params}\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _stored_files(root):
    return sorted(os.path.join(d, f) for d, _, names in os.walk(root) for f in names)


def _safe_filename_header(value: str) -> bool:
    match = re.fullmatch(r'attachment; filename="([^"\r\n]*)"', value)
    return bool(match) and not re.search(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]", match.group(1))


@pytest.mark.django_db
def test_hostile_uploads_are_refused_and_clean_ones_are_served_safely(ours, settings):
    settings.ADVICE_UPLOAD_MAX_BYTES = LIMIT
    root = settings.STORAGES["default"]["OPTIONS"]["location"]
    practitioner = ours.slt_practitioner
    client = verified_login(Client(), practitioner)
    client.raise_request_exception = False
    today = timezone.localdate()
    date_fields = {"returned_on_0": today.day, "returned_on_1": today.month, "returned_on_2": today.year}

    def fresh_item():
        case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer)
        request = AdviceRequestFactory(case=case, provider=ours.provider, requested_by=ours.case_officer)
        return AdviceItemFactory(request=request, team=ours.slt)

    def post(item, files):
        return client.post(
            reverse("advice:item_return", args=[item.pk]),
            data=_multipart(date_fields, files),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )

    problems, accepted_unsafe, server_errors, tried = [], 0, 0, 0
    for label, filename, content, content_type, expectation in corpus():
        tried += 1
        item = fresh_item()
        before = _stored_files(root)
        response = post(item, [(filename, content, content_type)])
        if response.status_code >= 500:
            server_errors += 1
            problems.append(f"{label}: server error {response.status_code}")
            continue
        stored = AdviceReturn.objects.filter(item=item).first()
        if expectation == "refuse":
            if stored is not None or response.status_code == 302:
                accepted_unsafe += 1
                problems.append(f"{label}: accepted")
                continue
            body = response.content.decode()
            if response.status_code != 200 or "govuk-error-summary" not in body:
                problems.append(f"{label}: {response.status_code} without a GOV.UK error")
            if _stored_files(root) != before:
                problems.append(f"{label}: a file was left on disk")
            continue
        if response.status_code != 302 or stored is None:
            problems.append(f"{label}: a clean document was refused ({response.status_code})")
            continue
        name = stored.document.name
        if not re.fullmatch(rf"advice/{item.case_id}/[0-9a-f]{{32}}", name):
            problems.append(f"{label}: stored as {name!r}, not a server-chosen name")
        shown = stored.document_name
        if UNSAFE_NAME.search(shown) or len(shown) > 255 or ".." in shown:
            problems.append(f"{label}: shown name {shown!r} keeps a path or control character")
        download = client.get(reverse("advice:document_download", args=[item.pk]))
        expected_type = PDF_CT if content.startswith(b"%PDF-") else DOCX_CT
        disposition = download.headers.get("Content-Disposition", "")
        if (
            download.status_code != 200
            or download.headers.get("Content-Type") != expected_type
            or download.headers.get("X-Content-Type-Options") != "nosniff"
            or not _safe_filename_header(disposition)
        ):
            problems.append(
                f"{label}: download {download.status_code} {download.headers.get('Content-Type')} "
                f"{download.headers.get('X-Content-Type-Options')} {disposition!r}"
            )
        elif b"".join(download.streaming_content) != content:
            problems.append(f"{label}: the download is not the file uploaded")

    # Several files in one request: each is checked and kept as a document of the return (issue 23), and
    # beyond Django's limit the request is refused with nothing kept.
    for count in (3, settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1):
        tried += 1
        item = fresh_item()
        before = _stored_files(root)
        response = post(item, [(f"advice{n}.pdf", pdf_bytes(f"copy {n}"), PDF_CT) for n in range(count)])
        kept = AdviceReturn.objects.filter(item=item).exclude(document="").count() + AdviceDocument.objects.filter(
            advice_return__item=item
        ).exclude(document="").count()
        if response.status_code >= 500:
            server_errors += 1
            problems.append(f"{count} files: server error")
        elif count > settings.DATA_UPLOAD_MAX_NUMBER_FILES:
            if response.status_code != 400 or kept or _stored_files(root) != before:
                problems.append(f"{count} files: {response.status_code}, {kept} kept")
        elif kept != count or len(_stored_files(root)) - len(before) != count:
            problems.append(f"{count} files: {kept} kept, not each one")

    figures.reports["hostile uploads"] = (
        f"hostile uploads: {tried} files, accepted-unsafe {accepted_unsafe}, server errors {server_errors}"
    )
    assert tried > 44
    assert not problems, "\n".join(problems)
