"""Escalation 1 letters: a JSON snapshot taken when the letter is issued, rendered to PDF once.

Safety: the HTML comes only from a Django template with autoescaping, fed from the snapshot, so
anything typed into a name prints as literal text. WeasyPrint fetches through `AssetFetcher`,
which serves only regular files inside `letter_assets/` and the LA's letterhead images named in the
snapshot (`letter-image:logo`, `letter-image:signature`, read from storage; PNGs re-encoded at upload
by administration.images): no other file, no network, no data: URLs, no redirects. Rendering runs
under a time limit.

Speed: each worker process parses `letter.css` once and keeps it with the Pango font map it was
made for (`_RenderKit`); a fresh font map per letter made Pango load and measure DejaVu Sans again
for every letter. The PDF bytes are the same either way.
"""

import datetime
import hashlib
import mimetypes
import os
import signal
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.timeline import FINAL_PLAN_WEEKS
from ehc.models.la_settings import period_text

from .models import Letter
from .wording import DEFAULTS, Kind, wording_html
from .wording.placeholders import letter_values

ASSETS_DIR = (Path(__file__).resolve().parent / "letter_assets").resolve()
ASSET_SUFFIXES = {".css", ".png", ".svg", ".jpg", ".jpeg"}
LETTER_STYLESHEET = ASSETS_DIR / "letter.css"
RENDER_TIME_LIMIT_SECONDS = 30


class LetterRenderTimeout(Exception):
    pass


def _iso(day):
    return day.isoformat() if day else None


def letter_content(
    *, request, la, la_settings, teams, dated, response_due_on, chased_on=None, wording=None
) -> dict:
    """Everything the letter shows, frozen at issue: later edits to names, addresses or the LA's wording
    never change it. `wording` is the LA's wording in force (escalation.wording.wording_in_force)."""
    provider = request.provider
    case = request.case
    return {
        "reference": case.reference,
        "dated": _iso(dated),
        "addressee": {
            "name": provider.director_name,
            "title": provider.director_title,
            "organisation": provider.name,
            "address_lines": provider.address_lines,
        },
        "child": {"name": case.child_name, "date_of_birth": _iso(case.child.date_of_birth)},
        "notified_on": _iso(request.notified_on),
        "chased_on": _iso(chased_on),
        "teams": [
            {"name": team["name"], "due_on": _iso(team["due_on"]), "days_overdue": team["days_overdue"]}
            for team in teams
        ],
        "response_due_on": _iso(response_due_on),
        # A report for a review meeting rather than advice for an assessment: the letter says so.
        "review": {"meeting_on": _iso(request.review.meeting_on)} if request.review_id else None,
        **la_content(la=la, la_settings=la_settings),
        "wording": wording_of(wording),
    }


def wording_of(wording) -> dict:
    """The letter's wording as the snapshot keeps it: its version number and text."""
    if wording is None:
        return {"version": 0, "text": DEFAULTS[Kind.ESCALATION_1_LETTER]}
    return {"version": wording["version"], "text": wording["text"]}


def la_content(*, la, la_settings) -> dict:
    """The LA's part of a letter: its letterhead, signatory, copies and durations."""
    return {
        "local_authority": {
            "name": la.name,
            "address_lines": la.address_lines,
            "telephone": la.telephone,
            "website": la.website,
        },
        "signatory": {"name": la_settings.ad_education_name, "title": la_settings.ad_education_title},
        "cc": [
            line
            for line in (
                f"DCO/DMO office ({la_settings.dco_office_email})" if la_settings.dco_office_email else "",
                f"SEND business support ({la_settings.business_support_email})"
                if la_settings.business_support_email
                else "",
            )
            if line
        ],
        "footer": la_settings.letter_footer,
        # The letterhead's images by their stored names: an upload never overwrites a file, so the
        # names keep pointing at the images the letter was issued with.
        "letterhead": letterhead_of(la_settings),
        # The LA's durations when the letter was issued: the letter states them, and a later change
        # of the settings never changes a letter already issued.
        "timings": la_settings.timings(),
        "final_plan_weeks": FINAL_PLAN_WEEKS,
    }


def letterhead_of(la_settings) -> dict:
    return {
        "logo": la_settings.letterhead_logo.name or "",
        "signature": la_settings.ad_education_signature.name or "",
    }


def letter_images(content: dict) -> dict[str, bytes]:
    """The letterhead images a snapshot names, read from storage ({"logo": png bytes, ...})."""
    images = {}
    for which, name in (content.get("letterhead") or {}).items():
        if name:
            with default_storage.open(name, "rb") as image:
                images[which] = image.read()
    return images


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _legacy_timings(content: dict) -> dict:
    """Letters issued before their snapshot kept the LA's durations: the advice period is the gap
    between the request and a team's due date, which is what the letter showed."""
    notified_on, teams = _date(content.get("notified_on")), content.get("teams") or []
    if notified_on and teams:
        return {"advice_period": period_text((_date(teams[0]["due_on"]) - notified_on).days)}
    return {"advice_period": "the period the local authority set"}


def letter_body(content: dict, context: dict) -> str:
    """The letter's paragraphs: its wording (the product's own for letters issued before wording was
    kept) with the placeholders filled from the snapshot, escaped."""
    text = (content.get("wording") or {}).get("text") or DEFAULTS[Kind.ESCALATION_1_LETTER]
    values = letter_values({"timings": context["timings"], **content})
    blocks = {
        "teams_table": ("", render_to_string("letters/_teams_table.html", context)),
        "response_required": ("", render_to_string("letters/_response_required.html", context)),
    }
    return wording_html(text, values, blocks)


def letter_html(content: dict) -> str:
    context = {
        "timings": _legacy_timings(content),
        "final_plan_weeks": FINAL_PLAN_WEEKS,
        **content,
        "dated": _date(content["dated"]),
        "notified_on": _date(content.get("notified_on")),
        "chased_on": _date(content.get("chased_on")),
        "response_due_on": _date(content.get("response_due_on")),
        "review_meeting_on": _date((content.get("review") or {}).get("meeting_on")),
        "child": {**content["child"], "date_of_birth": _date(content["child"].get("date_of_birth"))},
        "teams": [{**team, "due_on": _date(team["due_on"])} for team in content["teams"]],
    }
    context["body"] = letter_body(content, context)
    return render_to_string("letters/escalation_1.html", context)


IMAGE_SCHEME = "letter-image"


def _weasyprint_fetcher(images=None):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    images = images or {}

    class AssetFetcher(URLFetcher):
        """Serves files from letter_assets/ and the letter's own images, and refuses every other URL."""

        def __init__(self):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == IMAGE_SCHEME and parts.path in images and not (parts.netloc or parts.query):
                return URLFetcherResponse(url, body=images[parts.path], headers={"Content-Type": "image/png"})
            if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
                raise ValueError(f"Letters may only use their own assets, not {url[:80]!r}")
            path = Path(url2pathname(unquote(parts.path))).resolve()
            allowed = path.is_relative_to(ASSETS_DIR) and path.suffix.lower() in ASSET_SUFFIXES
            if not allowed or not path.is_file():
                raise ValueError(f"Letters may only use their own assets, not {url[:80]!r}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return AssetFetcher()


def _with_time_limit(seconds, function):
    """Run `function`, giving up after `seconds`. In the main thread (Celery prefork workers, the
    management command) an interval timer interrupts it; elsewhere it runs in a helper thread
    that the caller stops waiting for."""
    if threading.current_thread() is threading.main_thread():

        def _expired(signum, frame):
            raise LetterRenderTimeout(f"Rendering took longer than {seconds} s")

        previous = signal.signal(signal.SIGALRM, _expired)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return function()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    outcome = {}

    def _run():
        try:
            outcome["value"] = function()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=_run, name="letter-render", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise LetterRenderTimeout(f"Rendering took longer than {seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class _RenderKit:
    """The letter stylesheet, parsed, with the font configuration it was parsed for.

    WeasyPrint wants the same FontConfiguration for a document and its stylesheets (any
    @font-face is registered in it), so the two travel together. A kit is used by one render at
    a time: Pango font maps are not safe to share between threads.
    """

    def __init__(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            string=LETTER_STYLESHEET.read_text(encoding="utf-8"),
            base_url=ASSETS_DIR.as_uri() + "/",
            url_fetcher=_weasyprint_fetcher(),
            font_config=self.font_config,
        )


_idle_kits: list[_RenderKit] = []
_idle_kits_pid = None
_idle_kits_lock = threading.Lock()


def _kit_take() -> _RenderKit:
    global _idle_kits_pid
    with _idle_kits_lock:
        if _idle_kits_pid != os.getpid():
            # A forked child (a Celery prefork worker) starts its own kits rather than use Pango
            # state copied from its parent.
            _idle_kits.clear()
            _idle_kits_pid = os.getpid()
        if _idle_kits:
            return _idle_kits.pop()
    return _RenderKit()


def _kit_give_back(kit: _RenderKit) -> None:
    with _idle_kits_lock:
        if _idle_kits_pid == os.getpid():
            _idle_kits.append(kit)


def pdf_from_html(html: str, *, images=None, time_limit=RENDER_TIME_LIMIT_SECONDS) -> bytes:
    """The letter's PDF: `html` (from `letter_html`) with the letter stylesheet, A4, tagged; `images`
    are the letterhead's PNGs the HTML may show as letter-image:<name>."""
    from weasyprint import HTML

    def _render():
        kit = _kit_take()
        document = HTML(
            string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=_weasyprint_fetcher(images)
        )
        # PDF/UA-1: tagged, with title and language, for screen reader users.
        pdf = document.write_pdf(stylesheets=[kit.stylesheet], font_config=kit.font_config, pdf_variant="pdf/ua-1")
        # Only a render that finished gives its kit back: one stopped by the time limit may have
        # left it half way through a change.
        _kit_give_back(kit)
        return pdf

    return _with_time_limit(time_limit, _render)


def letter_preview(letter) -> bytes:
    """The PDF of a letter waiting for approval, as it would go today: not stored."""
    content = {**letter.content, "dated": _iso(timezone.localdate())}
    return letter_pdf(content)


def letter_pdf(content: dict) -> bytes:
    """A snapshot's PDF, with the letterhead images it names."""
    return pdf_from_html(letter_html(content), images=letter_images(content))


def letter_render(*, letter_id) -> Letter:
    """The letter with its PDF, rendering it from the snapshot the first time only.

    The row lock makes two senders wait for one render; a rendered letter is never rendered again.
    """
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.rendered_at is None:
            if letter.is_awaiting_approval:
                raise ValueError(f"Letter {letter_id} waits for approval: it is rendered once sent")
            pdf = letter_pdf(letter.content)
            letter.pdf = pdf
            letter.sha256 = hashlib.sha256(pdf).hexdigest()
            letter.rendered_at = timezone.now()
            letter.save(update_fields=["pdf", "sha256", "rendered_at", "updated_at"])
        return letter


def letter_attachment(letter_id) -> tuple[str, bytes]:
    """The letter as an email attachment (registered with ehc.outbox in EscalationConfig.ready())."""
    letter = letter_render(letter_id=letter_id)
    return letter.filename, bytes(letter.pdf)
