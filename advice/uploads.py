"""Checks on uploaded advice documents: by content, never by name.

Only two kinds are accepted: PDF (the `%PDF-` signature, the end-of-file marker
where readers look for it, and a full parse by qpdf finding no active content: see
advice/active_content.py) and Word .docx (an Office Open XML package: a zip holding
`[Content_Types].xml` and `word/document.xml`, the main part declared as a plain
document). A .docx is never extracted; the zip directory is read to refuse bombs
(too many entries, too much uncompressed data, an absurd compression ratio) and
macro-enabled packages (.docm content types or a `vbaProject.bin` anywhere), which a
renamed .docm would otherwise smuggle in; its XML parts are then parsed for DDE fields, OLE
objects, altChunk imports and ActiveX controls (advice/active_content.py). Anything else (renamed HTML, old .doc,
images, empty files, files over the size limit) is refused with a message that says
what to do, in the GOV.UK style.
"""

import hashlib
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from .active_content import docx_active_content, pdf_active_content

PDF = "pdf"
DOCX = "docx"

CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

DOCX_MAX_ENTRIES = 1000
DOCX_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
# Text-heavy XML compresses up to about 20:1; a bomb needs hundreds to thousands.
DOCX_MAX_RATIO = 100
# Small entries can have any ratio without risk; only judge the ratio of big ones.
DOCX_RATIO_MIN_BYTES = 1024 * 1024
CONTENT_TYPES_MAX_BYTES = 256 * 1024
PDF_EOF_WINDOW = 1024

DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MARKERS = ("macroenabled", "vbaproject", "vnd.ms-office.activex", "vnd.ms-word.vbadata")

WRONG_TYPE = "The selected file must be a PDF or a Word document (.docx)"

# PDF features that run code, open other files or carry files of their own. Advice is text
# and pictures; a PDF with any of these is refused rather than trusted to the reader's settings.
PDF_ACTIVE_NAMES = (
    b"/javascript",
    b"/js",
    b"/openaction",
    b"/aa",
    b"/launch",
    b"/embeddedfile",
    b"/embeddedfiles",
    b"/filespec",
    b"/richmedia",
    b"/xfa",
    b"/submitform",
    b"/importdata",
    b"/gotoe",
    b"/gotor",
)
PDF_ACTIVE = re.compile(rb"(" + rb"|".join(re.escape(n) for n in PDF_ACTIVE_NAMES) + rb")(?![a-z0-9])")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Decompressed stream bytes examined in all: bounds the work a deflate bomb can cause.
PDF_MAX_INFLATED_BYTES = 64 * 1024 * 1024
# What browsers sniff for at the start of a file; a PDF that also reads as a web page is refused.
HTML_MARKERS = (b"<html", b"<!doctype html", b"<script", b"<body", b"<svg", b"<iframe")
DOCX_RELS_MAX_BYTES = 256 * 1024
# External targets a Word document fetches when opened (remote templates, OLE links, frames).
DOCX_SAFE_EXTERNAL_TYPES = ("/hyperlink",)
ACTIVE_CONTENT = (
    "The selected PDF contains scripts, actions or attached files: print it to a new PDF "
    "(or save it as PDF/A) and upload that"
)


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    size: int
    sha256: str
    original_name: str

    @property
    def content_type(self):
        return CONTENT_TYPES[self.kind]


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def _read_head_and_tail(uploaded, size):
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(max(0, size - PDF_EOF_WINDOW))
    tail = uploaded.read(PDF_EOF_WINDOW)
    uploaded.seek(0)
    return head, tail


def _pdf_active(data: bytes) -> bool:
    lowered = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data).lower()
    return PDF_ACTIVE.search(lowered) is not None


def _check_pdf(uploaded, tail: bytes):
    if b"%%EOF" not in tail:
        raise ValidationError(
            "The selected PDF is damaged or incomplete: save it again and upload the new copy",
            code="pdf_truncated",
        )
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    if any(marker in data[:PDF_EOF_WINDOW].lower() for marker in HTML_MARKERS):
        raise ValidationError(WRONG_TYPE, code="polyglot")
    if zipfile.is_zipfile(uploaded):
        raise ValidationError(WRONG_TYPE, code="polyglot")
    uploaded.seek(0)
    if _pdf_active(data):
        raise ValidationError(ACTIVE_CONTENT, code="pdf_active")
    # Names can hide in compressed streams (object streams); inflate within a budget and look again.
    budget = PDF_MAX_INFLATED_BYTES
    for match in PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        if _pdf_active(inflated):
            raise ValidationError(ACTIVE_CONTENT, code="pdf_active")
        if budget <= 0:
            raise ValidationError(
                "The selected PDF cannot be checked safely: print it to a new PDF and upload that",
                code="pdf_too_large",
            )
    # The byte scan above misses what only a parser sees (ASCIIHex/ASCII85 object streams, names
    # spelt in other ways); parse the whole file as a reader would and walk every object.
    found = pdf_active_content(data)
    if found:
        raise ValidationError(found[1], code=found[0])


def _check_docx(uploaded):
    try:
        archive = zipfile.ZipFile(uploaded)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(WRONG_TYPE, code="wrong_type") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > DOCX_MAX_ENTRIES:
            raise ValidationError(
                "The selected Word document has too many parts to be checked safely: save it as a PDF and upload that",
                code="docx_entries",
            )
        total = 0
        names = set()
        for entry in entries:
            name = entry.filename
            lowered = name.lower()
            if entry.flag_bits & 0x1:
                raise ValidationError(
                    "The selected Word document is password protected: remove the password and upload it again",
                    code="docx_encrypted",
                )
            if lowered.endswith("vbaproject.bin") or lowered.endswith("vbadata.xml"):
                raise ValidationError(
                    "The selected Word document contains macros: save it as a Word Document (.docx) "
                    "without macros, or as a PDF",
                    code="docx_macros",
                )
            total += entry.file_size
            if total > DOCX_MAX_UNCOMPRESSED_BYTES:
                raise ValidationError(
                    "The selected Word document is too large once unpacked: save it as a PDF and upload that",
                    code="docx_too_large",
                )
            if entry.file_size >= DOCX_RATIO_MIN_BYTES and (
                entry.compress_size == 0 or entry.file_size / entry.compress_size > DOCX_MAX_RATIO
            ):
                raise ValidationError(
                    "The selected Word document cannot be checked safely: save it as a PDF and upload that",
                    code="docx_ratio",
                )
            names.add(name)
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise ValidationError(WRONG_TYPE, code="wrong_type")
        # Bounded read: the directory's declared size of this entry may lie.
        with archive.open("[Content_Types].xml") as handle:
            content_types = handle.read(CONTENT_TYPES_MAX_BYTES + 1)
        if len(content_types) > CONTENT_TYPES_MAX_BYTES:
            raise ValidationError(WRONG_TYPE, code="wrong_type")
        declared = content_types.decode("utf-8", errors="replace").lower()
        if any(marker in declared for marker in MACRO_MARKERS):
            raise ValidationError(
                "The selected Word document contains macros: save it as a Word Document (.docx) "
                "without macros, or as a PDF",
                code="docx_macros",
            )
        if DOCX_MAIN_TYPE not in declared:
            raise ValidationError(WRONG_TYPE, code="wrong_type")
        for name in names:
            if not name.lower().endswith(".rels"):
                continue
            with archive.open(name) as handle:
                rels = handle.read(DOCX_RELS_MAX_BYTES).decode("utf-8", errors="replace")
            for relationship in re.findall(r"<Relationship\b[^>]*>", rels):
                if "external" not in relationship.lower():
                    continue
                kind = re.search(r'Type="([^"]*)"', relationship)
                if not kind or not kind.group(1).lower().endswith(DOCX_SAFE_EXTERNAL_TYPES):
                    raise ValidationError(
                        "The selected Word document links to other files or templates: "
                        "save it as a PDF and upload that",
                        code="docx_external",
                    )
        found = docx_active_content(archive, sorted(names))
        if found:
            raise ValidationError(found[1], code=found[0])
    uploaded.seek(0)


def _sha256(uploaded) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def safe_display_name(name: str) -> str:
    """The uploader's file name, kept only to show on screen: no paths, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    # Format characters (right-to-left override, zero-width joiners) can disguise an extension.
    name = "".join(char for char in name if unicodedata.category(char) != "Cf").strip()
    return name[:255] or "document"


def check_upload(uploaded) -> CheckedUpload:
    """Accept a real PDF or .docx within the size limit, or raise ValidationError saying why not."""
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    limit = settings.ADVICE_UPLOAD_MAX_BYTES
    if size > limit:
        raise ValidationError(f"The selected file must be smaller than {_human_size(limit)}", code="too_large")
    name = safe_display_name(getattr(uploaded, "name", ""))
    if name.lower().endswith((".docm", ".dotm")):
        raise ValidationError(
            "The selected file is a macro-enabled Word document (.docm): save it as a Word Document "
            "(.docx) or as a PDF",
            code="docx_macros",
        )
    head, tail = _read_head_and_tail(uploaded, size)
    if head.startswith(b"%PDF-"):
        _check_pdf(uploaded, tail)
        kind = PDF
    elif head.startswith(b"PK\x03\x04"):
        _check_docx(uploaded)
        kind = DOCX
    else:
        raise ValidationError(WRONG_TYPE, code="wrong_type")
    return CheckedUpload(kind=kind, size=size, sha256=_sha256(uploaded), original_name=name)
