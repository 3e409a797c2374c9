"""The LA's letterhead and the AD Education's signature: only the LA's administrator manages them,
uploads are checked and re-encoded, every change is in the settings history, and a letter keeps the
letterhead it was issued with."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from administration import images
from ehc.models import AuditEvent, LocalAuthoritySettings
from escalation.letters import letter_render
from escalation.models import Letter
from tests.escalation.conftest import make_request, sweep

from .images import gif, jpeg, png

pytestmark = pytest.mark.django_db
D = datetime.date
PAGES = ("administration:letterhead", "administration:letterhead_preview")


def upload(client, which, data, name="image.png"):
    url = reverse(f"administration:letterhead_{which}")
    return client.post(url, {f"{which}-image": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize("who", ["provider", "icb"])
def test_other_kinds_of_administrator_get_404(our_admins, login, who):
    client = login(getattr(our_admins, who))
    for name in (*PAGES, "administration:letterhead_logo", "administration:letterhead_signature"):
        assert client.get(reverse(name)).status_code == 404
        assert client.post(reverse(name), {}).status_code == 404


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "dco", "spoc"])
def test_case_workers_get_404(ours, login, who):
    client = login(getattr(ours, who))
    for name in (*PAGES, "administration:letterhead_logo", "administration:letterhead_signature"):
        assert client.get(reverse(name)).status_code == 404


def test_the_administrator_edits_the_address_block_audited_and_escaped(ours, our_admins, login):
    client = login(our_admins.la)
    response = client.post(
        reverse("administration:letterhead"),
        {"address": "O'Neill House\nHarbour Road", "telephone": "01632 960 111", "website": "", "letter_footer": ""},
    )
    assert response.status_code == 302
    ours.la.refresh_from_db()
    assert ours.la.address_lines == ["O'Neill House", "Harbour Road"]
    page = client.get(reverse("administration:letterhead")).content.decode()
    assert "O&#x27;Neill House" in page and "O'Neill House" not in page
    event = AuditEvent.objects.get(settings_of=ours.la)
    assert event.changes["Address"][1] == "O'Neill House\nHarbour Road"
    assert "O&#x27;Neill House" in client.get(reverse("administration:history")).content.decode()


def test_a_too_long_footer_changes_nothing_and_says_why(ours, our_admins, login):
    before = LocalAuthoritySettings.for_la(ours.la).letter_footer
    data = {"address": "", "telephone": "", "website": "", "letter_footer": "x" * 301}
    response = login(our_admins.la).post(reverse("administration:letterhead"), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert LocalAuthoritySettings.for_la(ours.la).letter_footer == before
    assert not AuditEvent.objects.filter(settings_of=ours.la).exists()


def test_an_upload_is_re_encoded_as_a_png_without_what_the_file_carried(ours, our_admins, login):
    client = login(our_admins.la)
    assert upload(client, "logo", png(text="<script>alert(1)</script>")).status_code == 302
    stored = LocalAuthoritySettings.for_la(ours.la).letterhead_logo
    data = stored.read()
    assert data.startswith(b"\x89PNG") and b"<script>" not in data
    # A JPEG is accepted too, and stored as a PNG.
    assert upload(client, "signature", jpeg(), name="signature.jpg").status_code == 302
    signature = LocalAuthoritySettings.for_la(ours.la).ad_education_signature
    assert Image.open(signature.open("rb")).format == "PNG"
    # The administrator sees it; served as a PNG that is never sniffed or cached.
    response = client.get(reverse("administration:letterhead_logo"))
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response.content == data
    events = AuditEvent.objects.filter(settings_of=ours.la).order_by("id")
    assert [event.summary for event in events] == ["Uploaded a new logo", "Uploaded a new AD Education's signature"]


@pytest.mark.parametrize(
    "data, message",
    [
        (gif(), "The image must be a PNG or a JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not a PNG or JPEG image"),
        (png()[:60], "not a PNG or JPEG image"),
        (b"", "The selected file is empty"),
    ],
)
def test_anything_but_a_readable_png_or_jpeg_is_refused(ours, our_admins, login, data, message):
    response = upload(login(our_admins.la), "logo", data)
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert not LocalAuthoritySettings.for_la(ours.la).letterhead_logo
    assert not AuditEvent.objects.filter(settings_of=ours.la).exists()


def test_a_large_upload_is_refused(ours, our_admins, login, monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    body = upload(login(our_admins.la), "logo", png(size=(200, 200), color=(1, 2, 3)) + b"\0" * 200).content.decode()
    assert "The image must be smaller than" in body
    monkeypatch.setattr(images, "MAX_BYTES", 10**7)
    monkeypatch.setattr(images, "MAX_SIDE", 100)
    body = upload(login(our_admins.la), "logo", png(size=(200, 20))).content.decode()
    assert "at most 100 pixels" in body
    assert not LocalAuthoritySettings.for_la(ours.la).letterhead_logo


def test_removing_an_image(ours, our_admins, login):
    client = login(our_admins.la)
    upload(client, "logo", png())
    response = client.post(reverse("administration:letterhead_logo"), {"logo-remove": "1"})
    assert response.status_code == 302
    assert not LocalAuthoritySettings.for_la(ours.la).letterhead_logo
    assert client.get(reverse("administration:letterhead_logo")).status_code == 404


def test_another_las_administrator_never_sees_our_images(ours, our_admins, their_admins, login):
    upload(login(our_admins.la), "logo", png())
    # Theirs has none: the address serves only the administrator's own LA's image.
    assert login(their_admins.la).get(reverse("administration:letterhead_logo")).status_code == 404


def _images_in(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages[0].images)


def test_a_letter_keeps_the_letterhead_it_was_issued_with(ours, our_admins, login):
    client = login(our_admins.la)
    before = make_request(ours, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 4))
    sweep(D(2027, 1, 15))
    first = Letter.objects.get(escalation__request=before)
    assert first.content["letterhead"] == {"logo": "", "signature": ""}

    upload(client, "logo", png())
    upload(client, "signature", png(color=(0, 0, 0)))
    after = make_request(ours, notified_on=D(2026, 11, 27))
    sweep(D(2027, 1, 11))
    sweep(D(2027, 1, 22))
    second = Letter.objects.get(escalation__request=after)
    names = second.content["letterhead"]
    assert names["logo"] and names["signature"]

    # A new logo later: the second letter still names, and prints, the one it was issued with.
    upload(client, "logo", png(color=(0, 200, 0)))
    assert LocalAuthoritySettings.for_la(ours.la).letterhead_logo.name != names["logo"]
    assert default_storage.exists(names["logo"])
    assert _images_in(bytes(letter_render(letter_id=first.pk).pdf)) == 0
    assert _images_in(bytes(letter_render(letter_id=second.pk).pdf)) == 2


def test_the_preview_is_a_pdf_on_demo_data_with_the_letterhead(ours, our_admins, login):
    client = login(our_admins.la)
    upload(client, "logo", png())
    response = client.get(reverse("administration:letterhead_preview"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Alex Example" in text and ours.la.name in text
    assert _images_in(response.content) == 1
