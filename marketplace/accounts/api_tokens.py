"""Personal access tokens for the JSON API (`Authorization: Bearer …`)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update

from marketplace.accounts.models import ApiToken, User
from marketplace.core.audit import record_event
from marketplace.core.errors import NotFound
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

TOKEN_PREFIX = "pu_"  # noqa: S105 - a public prefix, not a secret


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the row and the raw token, which is shown once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip()[:80] or "API", token_hash=_digest(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.flush()
    record_event(
        "api_token.create",
        subject_type="api_token",
        subject_id=token.id,
        actor_id=user.id,
        after={"name": token.name, "prefix": token.prefix},
    )
    db.session.commit()
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The enabled user owning a live token, or None; records when the token was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token.user


def list_api_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, live ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_all_api_tokens(user: User) -> int:
    """Revoke every live API token of `user` (not committed); return how many."""
    result = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return result.rowcount or 0


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; another user's token is NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(
            "api_token.revoke",
            subject_type="api_token",
            subject_id=token.id,
            actor_id=user.id,
            before={"name": token.name, "prefix": token.prefix},
        )
        db.session.commit()
    return token
