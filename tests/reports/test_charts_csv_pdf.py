"""The building blocks: SVG charts built from escaped data, the CSV guard, the PDF fetcher."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from reports import charts
from reports.csv import csv_response, safe_cell
from reports.pdf import RefusingURLFetcher, render_pdf


def test_a_chart_is_an_image_with_a_title_and_description():
    svg = charts.stacked_columns(
        chart_id="c1",
        title="New requests",
        description="Per month",
        categories=["Jan 26", "Feb 26"],
        series=[("Known", charts.BLUE, [3, 0]), ("Not known", charts.DARK_GREY, [1, 2])],
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" id="c1"')
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">New requests</title><desc id="c1-desc">Per month</desc>' in svg
    # One rectangle per non-zero value, each with its figure as a tooltip title.
    assert len(re.findall(r"<rect [^>]*><title>", svg)) == 3
    assert "<title>Jan 26: 3 known</title>" in svg
    assert "style" not in svg and "<script" not in svg


def test_labels_are_escaped():
    hostile = '<script>alert("x")</script>'
    svg = charts.percent_bars(
        chart_id="c2", title=hostile, description=hostile, rows=[(hostile, 50.0), ("Empty & quiet", None)]
    )
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "Empty &amp; quiet" in svg
    assert "No figures" in svg


def test_percent_bars_are_scaled_and_clamped():
    svg = charts.percent_bars(
        chart_id="c3", title="t", description="d", rows=[("half", 50.0), ("all", 100.0), ("odd", 130.0)],
        reference=("England 2024", 46.4),
    )  # fmt: skip
    widths = [float(w) for w in re.findall(r'<rect x="190" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths == [115.0, 230.0, 230.0]
    assert "England 2024: 46.4%" in svg
    assert 'stroke-dasharray="6 4"' in svg


def test_axis_ceiling_is_a_round_number():
    assert [charts._nice_ceiling(v) for v in (0, 1, 3, 7, 11, 23, 230)] == [1, 1, 5, 10, 20, 50, 500]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+44 1803", "'+44 1803"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Speech & language", "Speech & language"),
        (-5, -5),
        (12.5, 12.5),
        (None, ""),
        (True, "Yes"),
        (datetime.date(2026, 3, 31), "2026-03-31"),
    ],
)
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def test_csv_response_streams_every_cell_guarded():
    response = csv_response(filename="x.csv", header=["A", "=B"], rows=iter([["=cmd", 1], ["ok", None]]))
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body == "\ufeffA,'=B\r\n'=cmd,1\r\nok,\r\n"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_the_pdf_fetcher_refuses_every_url(settings, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    fetcher = RefusingURLFetcher()
    for url in (f"file://{secret}", "http://127.0.0.1/x.png", "data:text/plain,hi"):
        with pytest.raises(ValueError):
            fetcher(url)


def test_a_report_referring_to_a_file_renders_without_it(tmp_path, monkeypatch):
    from django.template import engines

    calls = []
    original = RefusingURLFetcher.fetch

    def spy(self, url, headers=None):
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(RefusingURLFetcher, "fetch", spy)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET CONTENT")
    template = engines["django"].from_string(
        '<html><body><p>Report</p><img src="file://{{ path }}"><iframe src="file://{{ path }}"></iframe>'
        '<link rel="stylesheet" href="file://{{ path }}"></body></html>'
    )
    monkeypatch.setattr("reports.pdf.render_to_string", lambda name, ctx: template.render(ctx))
    pdf = render_pdf("unused", {"path": str(secret)})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Report" in text
    assert "TOP SECRET" not in text
    assert calls and all(url.startswith("file://") for url in calls)
