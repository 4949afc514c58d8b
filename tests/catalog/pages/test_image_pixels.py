"""A picture is refused above CATALOG_IMAGE_MAX_PIXELS from its header alone: a tiny PNG that claims
12,000 × 12,000 pixels (144 MP, gigabytes once decoded) never gets its pixels unpacked."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from sourcing.catalog.models import ImageUpload, SearchQuery
from sourcing.catalog.services import fetch as catalog
from tests.catalog.pages.conftest import page_text
from tests.catalog.pages.test_image_search import png

pytestmark = pytest.mark.django_db


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width=12_000, height=12_000) -> bytes:
    """A well-formed PNG header for width × height RGB, with a few bytes of compressed data: under 100 bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


@pytest.fixture
def no_decoding(monkeypatch):
    """Records any attempt to decode pixels (ImageFile.load is where Pillow unpacks them)."""
    loads = []
    original = ImageFile.ImageFile.load

    def load(self):
        loads.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return loads


def test_pillow_itself_refuses_what_the_portal_refuses(settings):
    assert settings.CATALOG_IMAGE_MAX_PIXELS == 40_000_000
    assert Image.MAX_IMAGE_PIXELS == 40_000_000


def test_a_144_megapixel_png_upload_is_refused_in_words_without_decoding(client, alice, credential, no_decoding):
    picture = huge_png()
    assert len(picture) < 200
    client.force_login(alice)
    response = client.post("/products/image/", {"image": SimpleUploadedFile("bomb.png", picture, "image/png")})
    assert response.status_code == 400
    assert "too many pixels: photos up to 40 megapixels" in page_text(response)
    assert no_decoding == []
    assert not ImageUpload.objects.exists() and not SearchQuery.objects.exists()


def test_the_service_refuses_it_too_and_writes_nothing(alice, credential, no_decoding):
    started = catalog.image_search_start(user=alice, data=huge_png())
    assert "too many pixels" in started.error
    assert no_decoding == [] and not ImageUpload.objects.exists()


def test_the_limit_is_a_setting_and_a_picture_just_under_it_is_searched(client, alice, credential, settings):
    settings.CATALOG_IMAGE_MAX_PIXELS = 64 * 64
    client.force_login(alice)
    at_limit = client.post("/products/image/", {"image": SimpleUploadedFile("ok.png", png((64, 64)), "image/png")})
    assert at_limit.status_code == 302
    over = client.post("/products/image/", {"image": SimpleUploadedFile("big.png", png((65, 64)), "image/png")})
    assert over.status_code == 400 and "photos up to 0.004096 megapixels" in page_text(over)
    # 49 MP: Pillow only warns below twice its ceiling; the portal's own check refuses it
    settings.CATALOG_IMAGE_MAX_PIXELS = 40_000_000
    assert "too many pixels" in catalog.image_search_start(user=alice, data=huge_png(7_000, 7_000)).error
