"""Uploaded advice is judged by its content, never its name."""

import pytest
from django.core.exceptions import ValidationError

from advice.uploads import DOCX, PDF, check_upload, safe_display_name

from .files import (
    HTML_BYTES,
    docx_bytes,
    docx_many_entries,
    docx_with_macros,
    docx_zip_bomb,
    pdf_bytes,
    upload,
)


def _code(uploaded):
    with pytest.raises(ValidationError) as caught:
        check_upload(uploaded)
    return caught.value.code, caught.value.messages[0]


def test_a_real_pdf_is_accepted_whatever_it_is_called():
    checked = check_upload(upload("advice.txt", pdf_bytes()))
    assert checked.kind == PDF
    assert checked.content_type == "application/pdf"
    assert len(checked.sha256) == 64


def test_a_real_docx_is_accepted():
    checked = check_upload(upload("advice.docx", docx_bytes()))
    assert checked.kind == DOCX
    assert checked.size > 0


def test_html_renamed_to_pdf_is_refused():
    assert _code(upload("advice.pdf", HTML_BYTES, "application/pdf")) == (
        "wrong_type",
        "The selected file must be a PDF or a Word document (.docx)",
    )


def test_an_old_word_document_is_refused():
    assert (
        _code(upload("advice.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100))[0] == "wrong_type"
    )


def test_a_plain_zip_pretending_to_be_docx_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert _code(upload("advice.docx", buffer.getvalue()))[0] == "wrong_type"


def test_a_docx_with_macros_is_refused():
    code, message = _code(upload("advice.docx", docx_with_macros()))
    assert code == "docx_macros"
    assert "macros" in message


def test_a_vba_project_hidden_in_a_plain_docx_is_refused():
    content = docx_bytes(extra_entries={"customXml/vbaProject.bin": b"\x00" * 64})
    assert _code(upload("advice.docx", content))[0] == "docx_macros"


def test_a_docm_by_name_is_refused():
    assert _code(upload("advice.docm", docx_bytes()))[0] == "docx_macros"


def test_a_zip_bomb_is_refused_without_being_inflated():
    bomb = docx_zip_bomb(megabytes=60)
    assert len(bomb) < 1024 * 1024
    assert _code(upload("advice.docx", bomb))[0] in {"docx_too_large", "docx_ratio"}


def test_a_highly_compressed_entry_under_the_total_limit_is_refused():
    assert _code(upload("advice.docx", docx_zip_bomb(megabytes=5)))[0] == "docx_ratio"


def test_too_many_entries_is_refused():
    assert _code(upload("advice.docx", docx_many_entries(1200)))[0] == "docx_entries"


def test_an_empty_file_is_refused():
    assert _code(upload("advice.pdf", b"")) == ("empty", "The selected file is empty")


def test_a_file_over_the_limit_is_refused(settings):
    settings.ADVICE_UPLOAD_MAX_BYTES = 1024
    code, message = _code(upload("advice.pdf", pdf_bytes(padding=2000)))
    assert code == "too_large"
    assert message == "The selected file must be smaller than 1 KB"


def test_a_truncated_pdf_is_refused():
    assert _code(upload("advice.pdf", pdf_bytes()[:-7]))[0] == "pdf_truncated"


def test_display_names_lose_paths_and_control_characters():
    assert safe_display_name("C:\\Users\\me\\advice\r\n.pdf") == "advice.pdf"
    assert safe_display_name("../../etc/passwd") == "passwd"
    assert safe_display_name("") == "document"
