"""Escalation 1 letters: content, A4 on one page, tagged, rendered once, and safe from what is typed."""

import datetime
import hashlib
import io
import shutil
import subprocess
import threading
import time

import pytest
from pypdf import PdfReader

from escalation import letters
from escalation.letters import LetterRenderTimeout, letter_render
from escalation.models import Letter
from tests.factories import TeamFactory

from .conftest import make_request, sweep

D = datetime.date
HOSTILE = '<img src="file:///etc/passwd">'


@pytest.mark.django_db
def test_the_letter_pdf(world):
    teams = [world.slt, world.ot, world.paeds] + [
        TeamFactory(provider=world.provider, name=f"Team {n} with a long descriptive name") for n in range(3)
    ]
    request = make_request(
        world, notified_on=D(2026, 11, 20), teams=teams, first_name=HOSTILE, last_name="Example"
    )
    sweep(D(2027, 1, 4))
    sweep(D(2027, 1, 15))
    letter = Letter.objects.get(escalation__request=request)
    # The letter is the snapshot taken at issue: a later change to the case does not reach it.
    request.case.child.last_name = "Changed"
    request.case.child.save()

    letter = letter_render(letter_id=letter.pk)
    pdf = bytes(letter.pdf)
    assert letter.sha256 == hashlib.sha256(pdf).hexdigest()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in (
        "Council Ours",
        "Castle Circus",  # the LA's address
        "15 January 2027",  # the letter's date
        request.case.reference,
        f"{HOSTILE} Example",  # typed markup printed as literal text
        "14 March 2018",
        "20 November 2026",
        "4 January 2027",  # chased on
        "Response required by Wednesday 20 January 2027",
        "Morgan Ellery",
        "Assistant Director of Education",
        "DCO/DMO office (dco.office@icb.example)",
        "SEND business support (send.support@la-ours.example)",
        "Robin Carrow",
        "Alliance Director",
    ):
        assert expected in text, expected
    assert "Changed" not in text
    for team in teams:
        assert team.name in text
    assert text.count("1 January 2027 14") == 6  # each team: due date and days overdue
    assert reader.metadata.title == f"Escalation 1: health advice overdue, {request.case.reference}"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Tagged:          yes" in info and "(A4)" in info

    # Rendered once: a second call returns the stored PDF untouched.
    rendered_at = letter.rendered_at
    again = letter_render(letter_id=letter.pk)
    assert again.rendered_at == rendered_at and bytes(again.pdf) == pdf


# A valid 1x1 PNG: WeasyPrint's own fetcher would embed it from anywhere on disk.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f3b3e70000000049454e44ae426082"
)


def test_markup_reaching_the_renderer_cannot_read_files_or_the_network(tmp_path, monkeypatch):
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    opened = []
    monkeypatch.setattr("weasyprint.urls.URLFetcher.open", lambda self, *a, **k: opened.append(a))
    html = (
        '<html lang="en-GB"><head><title>t</title><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        f'</head><body><p>Text</p><img src="{image.as_uri()}"><img src="file:///etc/passwd">'
        '<img src="../letters.py"><img src="data:image/png;base64,iVBORw0KGgo="></body></html>'
    )
    pdf = letters.pdf_from_html(html)
    assert b"/Subtype /Image" not in pdf and b"root:" not in pdf
    assert opened == []


def test_the_same_image_in_the_assets_is_embedded(tmp_path, monkeypatch):
    # The control for the test above: the PNG is fine, only its place was refused.
    (tmp_path / "logo.png").write_bytes(PNG)
    monkeypatch.setattr(letters, "ASSETS_DIR", tmp_path.resolve())
    pdf = letters.pdf_from_html(f'<html><body><img src="{(tmp_path / "logo.png").as_uri()}"></body></html>')
    assert b"/Subtype /Image" in pdf


@pytest.fixture
def fetcher():
    return letters._weasyprint_fetcher()


def test_the_fetcher_serves_the_letter_assets(fetcher):
    response = fetcher.fetch((letters.ASSETS_DIR / "letter.css").as_uri())
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        (letters.ASSETS_DIR / ".." / "letters.py").as_uri(),
        (letters.ASSETS_DIR / "missing.css").as_uri(),
        "file://remote-host/share/letter.css",
        "http://127.0.0.1/letter.css",
        "https://example.com/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.com/x.css",
    ],
)
def test_the_fetcher_refuses_everything_else(fetcher, url):
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_the_fetcher_refuses_a_symlink_out_of_the_assets(fetcher, tmp_path, monkeypatch):
    (tmp_path / "evil.css").symlink_to("/etc/passwd")
    monkeypatch.setattr(letters, "ASSETS_DIR", tmp_path.resolve())
    with pytest.raises(ValueError):
        fetcher.fetch((tmp_path / "evil.css").as_uri())


def test_rendering_has_a_time_limit_in_the_main_thread():
    started = time.monotonic()
    with pytest.raises(LetterRenderTimeout):
        letters._with_time_limit(0.2, lambda: time.sleep(5))
    assert time.monotonic() - started < 2


def test_rendering_has_a_time_limit_in_other_threads():
    outcome = {}

    def run():
        try:
            letters._with_time_limit(0.2, lambda: time.sleep(1))
        except LetterRenderTimeout as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(3)
    assert isinstance(outcome.get("error"), LetterRenderTimeout)
    assert letters._with_time_limit(1, lambda: 42) == 42


def test_filename_is_safe_for_a_header():
    letter = Letter(dated=D(2027, 1, 15), content={"reference": 'EHC-1"\r\nX: y'})
    assert letter.filename == "escalation-1-EHC-1Xy-2027-01-15.pdf"


# A snapshot as `letter_content` takes it at issue.
SNAPSHOT = {
    "reference": "EHC-2026-0000101",
    "dated": "2027-01-15",
    "local_authority": {
        "name": "Council Ours",
        "address_lines": ["SEND Team", "Castle Circus"],
        "telephone": "01632 960 000",
        "website": "www.ours.example",
    },
    "addressee": {
        "name": "Robin Carrow",
        "title": "Alliance Director",
        "organisation": "Children's Health Ours",
        "address_lines": ["Health Centre", "Bench Road"],
    },
    "child": {"name": "Archie Elsworth", "date_of_birth": "2018-03-14"},
    "notified_on": "2026-11-20",
    "chased_on": "2027-01-04",
    "teams": [{"name": "Speech and language therapy", "due_on": "2027-01-01", "days_overdue": 14}],
    "response_due_on": "2027-01-20",
    "signatory": {"name": "Morgan Ellery", "title": "Assistant Director of Education"},
    "cc": ["DCO/DMO office (dco.office@icb.example)"],
    "footer": "Council Ours, Castle Circus",
}


@pytest.fixture
def kits(monkeypatch):
    """This process's idle render kits, starting with none, and every kit made meanwhile."""
    monkeypatch.setattr(letters, "_idle_kits", [])
    monkeypatch.setattr(letters, "_idle_kits_pid", None)
    made = []
    make = letters._RenderKit.__init__

    def counting_init(self):
        made.append(self)
        make(self)

    monkeypatch.setattr(letters._RenderKit, "__init__", counting_init)
    return made


def _pdf(content):
    return letters.pdf_from_html(letters.letter_html(content))


def test_a_process_parses_the_stylesheet_once_and_its_letters_stay_byte_for_byte_the_same(kits):
    first = _pdf(SNAPSHOT)
    other = _pdf({**SNAPSHOT, "reference": "EHC-2026-0000202", "child": {"name": "Ada Lovelace"}})
    again = _pdf(SNAPSHOT)

    assert len(kits) == 1
    # The kit had rendered other letters before: the bytes (and so the stored sha256) are those
    # of a first render.
    assert again == first and other != first
    text = " ".join(PdfReader(io.BytesIO(first)).pages[0].extract_text().split())
    # Only the stylesheet puts the page count in the page margin.
    assert "Page 1 of 1" in text and "Morgan Ellery Assistant Director of Education" in text


def test_a_forked_worker_makes_its_own_kit(kits, monkeypatch):
    _pdf(SNAPSHOT)
    monkeypatch.setattr(letters.os, "getpid", lambda: -1)
    _pdf(SNAPSHOT)
    _pdf(SNAPSHOT)
    assert len(kits) == 2


def test_renders_at_the_same_time_never_share_a_kit(kits):
    one, two = letters._kit_take(), letters._kit_take()
    assert one is not two
    letters._kit_give_back(one)
    letters._kit_give_back(two)
    assert letters._kit_take() in (one, two) and len(kits) == 2


def test_a_render_that_fails_does_not_give_its_kit_back(kits, monkeypatch):
    from weasyprint import HTML

    def broken(self, *args, **kwargs):
        raise RuntimeError("renderer stopped half way")

    monkeypatch.setattr(HTML, "write_pdf", broken)
    with pytest.raises(RuntimeError):
        _pdf(SNAPSHOT)
    assert len(kits) == 1 and letters._idle_kits == []
