"""A letter's PDF rendered for a preview: never stored, never cached."""

from django.http import HttpResponse

from escalation.letters import letter_pdf


def pdf_response(content: dict, *, filename: str) -> HttpResponse:
    response = HttpResponse(letter_pdf(content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
