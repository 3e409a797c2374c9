"""Files to upload in tests: real minimal PDFs and .docx packages, and the bad ones people send."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def pdf_bytes(text="Health advice for the EHC needs assessment", padding=0):
    body = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + f"% {text}\n".encode()
        + b"%" * padding
        + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return body


def _content_types(main=DOCX_MAIN, extra=""):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
    )


def docx_bytes(*, main=DOCX_MAIN, extra_types="", extra_entries=None, text="Speech and language advice"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _content_types(main, extra_types))
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
        for name, data in (extra_entries or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_with_macros():
    """A .docm renamed to .docx: the macro content type and the VBA project inside."""
    return docx_bytes(
        main=DOCM_MAIN,
        extra_types=(
            '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        ),
        extra_entries={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512},
    )


def docx_zip_bomb(megabytes=60):
    """A valid-looking .docx with one entry inflating to `megabytes` of zeros (tens of KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _content_types())
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/padding.xml", "w") as handle:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                handle.write(chunk)
    return buffer.getvalue()


def docx_many_entries(count=1200):
    entries = {f"word/parts/part{n}.xml": "<x/>" for n in range(count)}
    return docx_bytes(extra_entries=entries)


HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert('hi')</script></body></html>"


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
