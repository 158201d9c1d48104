"""Flask-Login wiring and password hashing."""

from __future__ import annotations

import hmac

from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.extensions import db

#: scrypt with werkzeug's default cost parameters.
PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hash method name


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def verify_password(password_hash: str | None, password: str) -> bool:
    return password_hash is not None and check_password_hash(password_hash, password)


def load_user_with_roles(user_id: int):
    """The user with their roles, in one query (every request loads the signed-in user)."""
    from sqlalchemy.orm import joinedload

    from marketplace.accounts.models import User

    return db.session.get(User, user_id, options=[joinedload(User.role_rows)])


def configure_login_manager(manager: LoginManager) -> None:

    manager.login_view = "accounts.login"
    manager.login_message = _l("Please sign in to open this page.")
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(session_id: str):
        """The user of a session id `<id>:<password fingerprint>`; a changed password ends older sessions."""
        user_id, _, fingerprint = session_id.partition(":")
        user = load_user_with_roles(int(user_id)) if user_id.isdigit() else None
        if user is None or not user.is_active:
            return None
        return user if hmac.compare_digest(fingerprint, user.password_fingerprint) else None
