"""Images an administrator uploads for the letters (the letterhead's logo, the AD Education's
signature): PNG or JPEG only, checked by decoding them with Pillow, capped in bytes and pixels, and
re-encoded as a fresh PNG. Only the pixels survive: no metadata, comments, profiles or anything else
the file carried, so nothing active reaches the letter or the page that shows it."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
# Letters print the logo about 5 cm wide and the signature about 5 cm: larger images are scaled down
# before they are stored, which keeps every letter's PDF small.
STORED_SIDE = 1200
FORMATS = {"PNG", "JPEG"}


def image_clean(upload) -> ContentFile:
    """The upload as a re-encoded PNG, or a ValidationError a person can act on."""
    if upload is None:
        raise ValidationError("Select an image to upload")
    if upload.size == 0:
        raise ValidationError("The selected file is empty")
    if upload.size > MAX_BYTES:
        raise ValidationError(f"The image must be smaller than {MAX_BYTES // (1024 * 1024)} MB")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in FORMATS:
                raise ValidationError("The image must be a PNG or a JPEG")
            if width > MAX_SIDE or height > MAX_SIDE:
                raise ValidationError(f"The image must be at most {MAX_SIDE} pixels wide and high")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            pixels = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError("The file is not a PNG or JPEG image that can be read") from error
    pixels.thumbnail((STORED_SIDE, STORED_SIDE))
    # A new image from the raw pixels alone: nothing of the uploaded file's structure is kept.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="image.png")
