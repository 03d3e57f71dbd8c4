"""Route guards by role."""

import functools
from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from portal.models import Role


def role_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow the view only for signed-in users holding one of ``roles``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
