"""B9: escalation 1 letters rendered to PDF on two worker processes, against WeasyPrint on plain text."""

import multiprocessing

from ..harness import Scenario, Skip
from .common import need, target_note


def _render_app(content):
    """The PDF's size and the CPU seconds the worker spent on it."""
    import time

    from escalation.letters import letter_html, pdf_from_html

    started = time.process_time()
    size = len(pdf_from_html(letter_html(content)))
    return size, time.process_time() - started


def _render_floor(html):
    import time

    from weasyprint import HTML

    started = time.process_time()
    size = len(HTML(string=html).write_pdf())
    return size, time.process_time() - started


def _plain_letter(content):
    """The letter's words with no stylesheet, letterhead image or tagging: WeasyPrint's least work."""
    from html import escape

    def lines(values):
        return "".join(f"<p>{escape(str(value))}</p>" for value in values if value)

    teams = "".join(
        f"<tr><td>{escape(team['name'])}</td><td>{team['due_on']}</td><td>{team['days_overdue']}</td></tr>"
        for team in content.get("teams") or []
    )
    la = content.get("local_authority", {})
    addressee = content.get("addressee", {})
    return (
        "<html><body>"
        + lines([la.get("name"), *la.get("address_lines", []), content.get("dated"), content.get("reference")])
        + lines([addressee.get("name"), addressee.get("title"), addressee.get("organisation")])
        + lines([content.get("child", {}).get("name"), content.get("child", {}).get("date_of_birth")])
        + f"<table>{teams}</table>"
        + lines([content.get("response_due_on"), content.get("signatory", {}).get("name"), *content.get("cc", [])])
        + "</body></html>"
    )


class LetterRendering(Scenario):
    code = "B9"
    title = "escalation 1 letter PDFs on 2 worker processes"
    target = ">= 15 letters/s"
    max_reps = 3
    workers = 2

    def prepare(self, ctx):
        try:
            import weasyprint  # noqa: F401
        except ImportError as exc:
            raise Skip(f"WeasyPrint is not importable: {exc}") from None
        count = 2 if ctx.scale == "tiny" else 40
        from escalation.models import Letter

        self.contents = list(Letter.objects.order_by("-dated", "-id").values_list("content", flat=True)[:count])
        if not self.contents:
            raise Skip("no escalation 1 letter in the data set")
        self.plain = [_plain_letter(content) for content in self.contents]
        # CPU ms per letter in the workers, one figure per timed run: on a machine shared with
        # other jobs the wall clock says how busy it was as much as what a letter costs.
        self.cpu_ms = {"floor": [], "app": []}
        # Worker processes as Celery's prefork pool has them: started once, warm, then given letters.
        self.pool = multiprocessing.get_context("fork").Pool(self.workers)
        self.pool.map(_render_floor, self.plain[: self.workers])

    def teardown(self, ctx):
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.terminate()
            pool.join()
            self.pool = None

    def _sizes(self, side, rendered):
        self.cpu_ms[side].append(sum(seconds for _, seconds in rendered) * 1000 / len(rendered))
        return [size for size, _ in rendered]

    def floor(self, ctx, cursor):
        return self._sizes("floor", self.pool.map(_render_floor, self.plain, chunksize=1))

    def app(self, ctx):
        need("escalation.letters", "letter_html", "letter_html(content) renders a letter snapshot to HTML")
        need("escalation.letters", "pdf_from_html", "pdf_from_html(html) renders it to PDF")
        return self._sizes("app", self.pool.map(_render_app, self.contents, chunksize=1))

    def compare(self, floor_result, app_result):
        if len(floor_result) != len(app_result) or not all(app_result):
            return f"{len(app_result)} PDFs rendered for {len(floor_result)} letters"
        return None

    def notes(self, outcome):
        notes = []
        for label, stat in (("floor", outcome.floor_stat), ("app", outcome.app_stat)):
            median = stat("median")
            if median:
                rate = len(self.contents) / (median / 1000)
                per_letter = median / len(self.contents) * self.workers
                notes.append(
                    f"{label}: {rate:.1f} letters/s on {self.workers} processes "
                    f"({per_letter:.0f} ms per letter per process)"
                )
        import statistics

        for label in ("floor", "app"):
            if self.cpu_ms[label]:
                cpu = statistics.median(self.cpu_ms[label])
                notes.append(
                    f"{label}: {cpu:.0f} ms of CPU per letter in the workers "
                    f"({self.workers * 1000 / cpu:.1f} letters/s on {self.workers} processes with a core each)"
                )
        median = outcome.app_stat("median")
        if median:
            notes.append(
                target_note("app", len(self.contents) / (median / 1000), 15, unit="letters/s", higher_is_better=True)
            )
        return notes
