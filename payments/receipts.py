"""Receipt uploads: PDF, JPEG, PNG, HEIC or WebP (sniffed from the first bytes, never the name), at
most 5 MB, stored under a name of our own with the extension of what the content really is."""

import hashlib
import uuid

from django.http import FileResponse

from phb.exceptions import InvalidInput

MAX_RECEIPT_BYTES = 5 * 1024 * 1024
ALLOWED = "a PDF, JPEG, PNG, HEIC or WebP file"
# File signatures ("magic numbers"): what the content is, whatever the file is called.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
# HEIF (the iPhone camera's format) is an ISO media file: "ftyp" at byte 4, then its brand.
HEIF_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"hevc": "image/heic",
    b"hevx": "image/heic",
    b"heim": "image/heic",
    b"heis": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
}
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/webp": ".webp",
}


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file show, or None for anything not allowed."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return HEIF_BRANDS.get(head[8:12])
    return None


def _head(upload, length: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head or b""


def check_receipt(upload) -> str:
    """The receipt's content type; a 400 naming `receipt` for anything not allowed, or over 5 MB."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    if size > MAX_RECEIPT_BYTES:
        raise InvalidInput(receipt=["The receipt must be 5 MB or smaller."])
    if size == 0:
        raise InvalidInput(receipt=["The receipt file is empty."])
    content_type = sniff(_head(upload))
    if content_type is None:
        raise InvalidInput(receipt=[f"The receipt must be {ALLOWED}."])
    return content_type


def stored_name(content_type: str) -> str:
    """A name of our own: the client's file name (`evil.html`, or a person's name) is never kept."""
    return f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"


def receipt_response(entry) -> FileResponse:
    """The stored receipt as an attachment under a neutral name, with the type sniffed at upload and
    `nosniff`, so a browser saves it and never renders it as a page of this site."""
    response = FileResponse(
        entry.receipt.open("rb"),
        as_attachment=True,
        filename=f"receipt-{entry.pk}{EXTENSIONS.get(entry.receipt_content_type, '')}",
        content_type=entry.receipt_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def receipt_digest(upload) -> str:
    """sha256 of the receipt's content, so a repeat of the same payment with the same file matches."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(64 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
