"""Signed links for password reset and invitations.

A token carries the user id and a fingerprint of the current password hash, so it stops working once the
password changes (a used reset link cannot be replayed) and after `max_age` seconds.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.accounts.models import User
from marketplace.extensions import db

PURPOSES = {"reset": "PASSWORD_RESET_MAX_AGE", "invite": "INVITATION_MAX_AGE"}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"accounts.{purpose}")


def make_token(user: User, purpose: str) -> str:
    """A URL-safe token for `purpose` (`reset` or `invite`)."""
    return _serializer(purpose).dumps({"uid": user.id, "fp": user.password_fingerprint})


def read_token(token: str, purpose: str) -> User | None:
    """The user the token was made for, or None when it is forged, expired or already used."""
    try:
        data = _serializer(purpose).loads(token, max_age=current_app.config[PURPOSES[purpose]])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_enabled or data.get("fp") != user.password_fingerprint:
        return None
    return user
