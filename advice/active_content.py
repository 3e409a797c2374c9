"""Active content found by parsing a document fully, where a byte scan cannot see it.

PDF: qpdf (through pikepdf) reads the file as a reader does: the newest incremental update wins,
object streams and cross-reference streams are followed, and every stream filter is decoded
(ASCIIHex, ASCII85, Flate, LZW, RunLength...). Every object is then walked, direct dictionaries
inside it included, for scripts, automatic actions, launch, submit and import actions, links to
other files, attached files, rich media and XFA forms. A file qpdf cannot read is refused: what
cannot be checked is not stored.

Word: every XML part under word/ is parsed (a DOCTYPE is refused first, so no entity can expand)
for DDE/DDEAUTO fields and fields that pull in other files (fldSimple and complex fields, whose
instruction text may be split over several runs), embedded and linked OLE objects, altChunk
imports and ActiveX controls; the package's relationships and part names are checked for the same
things. Each function returns an error code and message, or None when nothing active was found.
"""

import io
import re
import xml.etree.ElementTree as ElementTree

import pikepdf

# Every object of a real advice document is well under this; past it the walk itself is the risk.
PDF_MAX_OBJECTS = 200_000
PDF_MAX_DEPTH = 64

PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/OpenAction", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA", "/EF"}
)
PDF_ACTIVE_VALUES = frozenset(
    {
        # Action types (/S) that run code, open or fetch other files, or send data out.
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/Movie",
        "/Sound",
        # Object types and subtypes that carry files or media.
        "/EmbeddedFile",
        "/Filespec",
        "/FileAttachment",
        "/RichMedia",
        "/Screen",
    }
)
PDF_TYPED_KEYS = ("/S", "/Type", "/Subtype")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Field codes that run another program (DDE) or pull content from another file or address.
DOCX_ACTIVE_FIELDS = re.compile(r"^\s*(DDEAUTO|DDE|LINK|INCLUDETEXT|INCLUDEPICTURE|IMPORT|INCLUDE)\b", re.I)
DOCX_XML_MAX_BYTES = 20 * 1024 * 1024
DOCX_OLE_ELEMENTS = ("}object", "}OLEObject", "}control")


class Active(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


PDF_ACTIVE = Active(
    "pdf_active",
    "The selected PDF contains scripts, actions or attached files: print it to a new PDF "
    "(or save it as PDF/A) and upload that",
)


def _walk(value, depth):
    if depth > PDF_MAX_DEPTH:
        raise Active(
            "pdf_too_complex", "The selected PDF cannot be checked safely: print it to a new PDF and upload that"
        )
    if isinstance(value, pikepdf.Stream):
        value = value.stream_dict
    if isinstance(value, pikepdf.Dictionary):
        for key in value.keys():
            if key in PDF_ACTIVE_KEYS:
                raise PDF_ACTIVE
            child = value.get(key)
            if key in PDF_TYPED_KEYS and isinstance(child, pikepdf.Name) and str(child) in PDF_ACTIVE_VALUES:
                raise PDF_ACTIVE
            # Indirect objects are each visited once by the caller's loop over all objects.
            if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
                _walk(child, depth + 1)
    elif isinstance(value, pikepdf.Array):
        for child in value:
            if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
                _walk(child, depth + 1)


PDF_NAME_ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")
PDF_DECODED_AT_OPEN = re.compile(rb"/type\s*/(objstm|xref)(?![a-z0-9])")
PDF_FILTER_VALUE = re.compile(rb"/filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]*|[0-9]+\s+[0-9]+\s+r)")
PDF_FILTER_NAME = re.compile(rb"/([^\s/\[\]<>()]*)")
# Flate is bounded by the byte scan's inflate budget; ASCIIHex and ASCII85 only shrink.
PDF_BOUNDED_FILTERS = {b"flatedecode", b"fl", b"asciihexdecode", b"ahx", b"ascii85decode", b"a85"}
PDF_MAX_DECODED_AT_OPEN = 10_000


def _streams_decoded_at_open_are_bounded(data: bytes) -> bool:
    """qpdf decodes object streams and cross-reference streams as it opens a file (the catalog may
    live in one). A filter other than one Flate, ASCIIHex or ASCII85, or a chain of them, could
    expand a small upload a thousandfold in memory (RunLength, LZW, ASCII85 then Flate), and PDF
    writers do not use them there: such a file is refused before qpdf sees it. The stream's
    dictionary is read from its `obj` keyword to its `stream` keyword around each /Type."""
    lowered = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data).lower()
    for count, match in enumerate(PDF_DECODED_AT_OPEN.finditer(lowered), 1):
        if count > PDF_MAX_DECODED_AT_OPEN:
            return False
        start = max(lowered.rfind(b" obj", 0, match.start()), lowered.rfind(b"\nobj", 0, match.start()), 0)
        end = lowered.find(b"stream", match.end())
        region = lowered[start : end if end != -1 else len(lowered)]
        filters = PDF_FILTER_VALUE.findall(region)
        if len(filters) > 1:
            return False
        if filters:
            names = PDF_FILTER_NAME.findall(filters[0])
            if len(names) != 1 or names[0] not in PDF_BOUNDED_FILTERS:
                return False
    return True


def pdf_active_content(data: bytes):
    """(code, message) if the PDF, fully parsed, holds active content or cannot be read; else None."""
    if not _streams_decoded_at_open_are_bounded(data):
        return "pdf_too_complex", "The selected PDF cannot be checked safely: print it to a new PDF and upload that"
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            _walk(pdf.trailer, 0)
            for count, obj in enumerate(pdf.objects, 1):
                if count > PDF_MAX_OBJECTS:
                    raise Active(
                        "pdf_too_complex",
                        "The selected PDF cannot be checked safely: print it to a new PDF and upload that",
                    )
                _walk(obj, 0)
    except Active as found:
        return found.code, found.message
    except pikepdf.PasswordError:
        return "pdf_encrypted", "The selected PDF is password protected: remove the password and upload it again"
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return "pdf_damaged", "The selected PDF is damaged or cannot be read: save it again as a PDF and upload that"
    return None


def _field_instructions(root):
    """Each field's instruction text: fldSimple's attribute, and the instrText runs of each complex
    field joined (Word lets one instruction be split over many runs, 'DD' + 'EAUTO')."""
    for element in root.iter(f"{W}fldSimple"):
        yield element.get(f"{W}instr", "")
    current = []
    for element in root.iter():
        if element.tag == f"{W}fldChar":
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                current = []
            elif kind in ("separate", "end") and current:
                yield "".join(current)
                current = []
        elif element.tag == f"{W}instrText":
            current.append(element.text or "")
    if current:
        yield "".join(current)


DOCX_ACTIVE = {
    "dde": (
        "docx_dde",
        "The selected Word document contains a field that runs another program (DDE): save it as a PDF and upload that",
    ),
    "field_link": (
        "docx_external",
        "The selected Word document links to other files or templates: save it as a PDF and upload that",
    ),
    "ole": (
        "docx_ole",
        "The selected Word document contains an embedded object or package: save it as a PDF and upload that",
    ),
    "altchunk": (
        "docx_altchunk",
        "The selected Word document imports another document (altChunk): save it as a PDF and upload that",
    ),
    "activex": (
        "docx_activex",
        "The selected Word document contains ActiveX controls: save it as a PDF and upload that",
    ),
}


def docx_active_content(archive, names):
    """(code, message) for the first active part found in an open, size-checked .docx; else None."""
    for name in names:
        lowered = name.lower()
        if lowered.startswith(("word/embeddings/", "word/oleobject")) or "/embeddings/" in lowered:
            return DOCX_ACTIVE["ole"]
        if lowered.startswith("word/activex/") or "/activex/" in lowered:
            return DOCX_ACTIVE["activex"]
    for name in names:
        lowered = name.lower()
        if lowered.endswith(".rels"):
            with archive.open(name) as handle:
                rels = handle.read(DOCX_XML_MAX_BYTES).decode("utf-8", errors="replace").lower()
            for kind in re.findall(r'type="([^"]*)"', rels):
                if kind.endswith(("/afchunk",)):
                    return DOCX_ACTIVE["altchunk"]
                if kind.endswith(("/control", "/activexcontrol", "/activexcontrolbinary")):
                    return DOCX_ACTIVE["activex"]
                if kind.endswith(("/oleobject", "/package")):
                    return DOCX_ACTIVE["ole"]
            continue
        if not (lowered.startswith("word/") and lowered.endswith(".xml")):
            continue
        with archive.open(name) as handle:
            data = handle.read(DOCX_XML_MAX_BYTES + 1)
        if len(data) > DOCX_XML_MAX_BYTES or b"<!doctype" in data.lower() or b"<!entity" in data.lower():
            return (
                "docx_unreadable",
                "The selected Word document cannot be checked safely: save it as a PDF and upload that",
            )
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError:
            return (
                "docx_unreadable",
                "The selected Word document is damaged or cannot be read: save it again and upload the new copy",
            )
        for element in root.iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag == f"{W}altChunk":
                return DOCX_ACTIVE["altchunk"]
            if tag.endswith(DOCX_OLE_ELEMENTS):
                return DOCX_ACTIVE["activex" if tag.endswith("}control") else "ole"]
        for instruction in _field_instructions(root):
            match = DOCX_ACTIVE_FIELDS.match(instruction)
            if match:
                return DOCX_ACTIVE["dde" if match.group(1).upper().startswith("DDE") else "field_link"]
    return None
