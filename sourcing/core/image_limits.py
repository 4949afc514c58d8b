"""The pixel limit on uploaded pictures, checked on the header alone: Pillow's Image.open reads the width and
height without decoding a single pixel, so a small file that would unpack to gigabytes is refused cheaply."""

import io
import warnings

from django.conf import settings
from django.utils.translation import gettext as _


def pixel_limit_apply() -> None:
    """Make Pillow itself refuse what the portal refuses (at start-up, see SourcingConfig.ready)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = settings.CATALOG_IMAGE_MAX_PIXELS


def too_many_pixels(source) -> str:
    """Plain words when the picture (bytes or a file) is wider × taller than CATALOG_IMAGE_MAX_PIXELS, else "".
    A file that is not a picture at all is left to the other checks."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.CATALOG_IMAGE_MAX_PIXELS
    message = _("That picture has too many pixels: photos up to %(mp)s megapixels (width × height) can be "
                "searched. Send a smaller photo.") % {"mp": f"{limit / 1_000_000:g}"}  # fmt: skip
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    start = stream.tell() if hasattr(stream, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(stream) as image:  # reads the header only
                width, height = image.size
    except Image.DecompressionBombError:
        return message
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return ""
    finally:
        if hasattr(stream, "seek"):
            stream.seek(start)
    return message if width * height > limit else ""
