"""PDF copies of the reports (WeasyPrint): A4 landscape pages from an HTML template.

A report is built only from the data passed to its template, so the fetcher refuses every URL:
nothing in a template, and nothing in a team's or provider's name, can make the server fetch a
file or an address while rendering.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher


class RefusingURLFetcher(URLFetcher):
    """Refuses every URL. WeasyPrint records a warning and renders the page without the resource."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)

    def fetch(self, url, headers=None):
        raise ValueError(f"Reports fetch no external resources (refused {url[:80]!r})")


def render_pdf(template_name, context) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None, url_fetcher=RefusingURLFetcher()).write_pdf()


def pdf_response(*, template_name, context, filename):
    response = HttpResponse(render_pdf(template_name, context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
