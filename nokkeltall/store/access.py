"""Who may edit: an optional editor password. Reading always stays open."""

from __future__ import annotations

import hmac
import os

PASSWORD_ENV_VAR = "NOKKELTALL_EDITOR_PASSWORD"


def configured_editor_password(secret: str | None = None) -> str | None:
    """The configured password: ``secret`` (e.g. from Streamlit secrets) or the env var, else None."""
    value = secret if secret else os.environ.get(PASSWORD_ENV_VAR)
    return value or None


def editing_allowed(password_given: str | None, configured: str | None) -> bool:
    """True when no password is configured, or the given one matches (constant-time compare)."""
    if not configured:
        return True
    if not password_given:
        return False
    return hmac.compare_digest(password_given.encode("utf-8"), configured.encode("utf-8"))
