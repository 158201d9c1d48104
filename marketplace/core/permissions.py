"""Role checks for views: a decorator that answers 403 to signed-in users without the role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from marketplace.accounts.models import Role


def roles_required(*roles: Role) -> Callable:
    """Require a signed-in user holding at least one of `roles` (operators are not implied)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
