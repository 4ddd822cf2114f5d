"""Uploaded documents: the type is decided by the content's magic bytes, never by the name or browser."""

from __future__ import annotations

import re
import unicodedata

SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


class UploadRefused(ValueError):
    """The upload is not accepted (message in German)."""


def sniff(content: bytes) -> tuple[str, str] | None:
    """Return (content type, extension) for PDF, PNG or JPEG content, else None."""
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    return None


def clean_filename(name: str, extension: str) -> str:
    """Return a harmless display name with the extension that matches the content."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    stem = re.sub(r"[^\w .()-]", "_", name.rsplit(".", 1)[0]).strip(" .") or "Dokument"
    return stem[:150] + extension


def check_upload(filename: str, content: bytes, max_bytes: int) -> tuple[str, str]:
    """Return (clean file name, content type) or raise UploadRefused with a German reason."""
    if not content:
        raise UploadRefused("Bitte eine Datei auswählen.")
    if len(content) > max_bytes:
        raise UploadRefused(f"Die Datei ist zu groß (höchstens {max_bytes // (1024 * 1024)} MB).")
    sniffed = sniff(content)
    if sniffed is None:
        raise UploadRefused("Nur PDF-, PNG- und JPEG-Dateien sind erlaubt.")
    content_type, extension = sniffed
    return clean_filename(filename or "Dokument", extension), content_type
