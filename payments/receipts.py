"""Receipt uploads: only PDF, JPEG or PNG (sniffed from the first bytes, not the name), at most 5 MB."""

import hashlib

from phb.exceptions import InvalidInput

MAX_RECEIPT_BYTES = 5 * 1024 * 1024
# File signatures ("magic numbers"): what the content is, whatever the file is called.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def _head(upload, length: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head or b""


def check_receipt(upload) -> str:
    """The receipt's content type; a 400 naming `receipt` for anything but a PDF, JPEG or PNG up to 5 MB."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    if size > MAX_RECEIPT_BYTES:
        raise InvalidInput(receipt=["The receipt must be 5 MB or smaller."])
    if size == 0:
        raise InvalidInput(receipt=["The receipt file is empty."])
    head = _head(upload)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise InvalidInput(receipt=["The receipt must be a PDF, JPEG or PNG file."])


def receipt_digest(upload) -> str:
    """sha256 of the receipt's content, so a repeat of the same payment with the same file matches."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(64 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
