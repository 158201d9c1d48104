"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_safe_redirect(target: str | None) -> bool:
    """Only allow relative paths on this site as redirect targets (no backslash or control character, which
    browsers may read as `//`: `/\\evil.example` is another site to them)."""
    if not target or "\\" in target or any(character < " " for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
