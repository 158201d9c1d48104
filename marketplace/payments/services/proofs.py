"""Proof files of bank transfers and refunds (PDF, JPEG or PNG, recognised by content, at most 10 MB) and their
bank references."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from marketplace.catalog.images import ImageProblem, inspect_image
from marketplace.catalog.services.media.attachments import looks_like_pdf
from marketplace.catalog.services.media.common import MEGABYTE, read_upload
from marketplace.core.errors import ValidationFailed

MAX_PROOF_BYTES = 10 * MEGABYTE
REFERENCE_MAX_LENGTH = 120
PROOF_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def reference_errors(reference: str) -> dict[str, str]:
    """The error of a bank reference (missing or too long), by field."""
    if not reference:
        return {"bank_reference": _("Enter the bank reference (e.g. the SP2D number).")}
    if len(reference) > REFERENCE_MAX_LENGTH:
        return {"bank_reference": _("At most %(max)s characters.", max=REFERENCE_MAX_LENGTH)}
    return {}


def read_proof(proof: Any, errors: dict[str, str]) -> tuple[bytes | None, str | None]:
    """The proof's bytes and content type, recognised by content; adds `errors["proof"]` when refused."""
    try:
        data = read_upload(proof, MAX_PROOF_BYTES)
    except ValidationFailed as error:
        errors["proof"] = next(iter(error.fields.values()))
        return None, None
    if looks_like_pdf(data):
        return data, "application/pdf"
    try:
        info = inspect_image(data)
    except ImageProblem:
        info = None
    if info is None or info.content_type not in PROOF_TYPES:
        errors["proof"] = _("The proof must be a PDF, JPEG or PNG file.")
        return None, None
    return data, info.content_type


def proof_name(proof: Any, content_type: str) -> str:
    """The download name: `bukti-<original stem>.<extension by content>` (safe characters only)."""
    stem = (getattr(proof, "filename", None) or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:80].strip("-") or "bukti"
    return f"{stem}.{PROOF_TYPES[content_type]}"
