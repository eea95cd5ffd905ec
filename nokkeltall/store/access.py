"""Who may edit: an optional editor password. Reading always stays open."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections.abc import Callable

PASSWORD_ENV_VAR = "NOKKELTALL_EDITOR_PASSWORD"
_log = logging.getLogger(__name__)


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
    return hmac.compare_digest(
        password_given.encode("utf-8", "surrogatepass"), configured.encode("utf-8", "surrogatepass")
    )


FREE_ATTEMPTS = 3  # wrong passwords before the first wait
LONGEST_WAIT = 300.0  # seconds


def wait_after(failures: int) -> float:
    """Seconds before the next try after ``failures`` wrong passwords in a row: none for the first
    two, then 2, 4, 8 … up to five minutes."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(2.0 ** (failures - FREE_ATTEMPTS + 1), LONGEST_WAIT)


class PasswordGuard:
    """One session's password attempts: each distinct attempt judged once, a growing wait after three
    wrong ones (attempts during the wait are refused unchecked), failures logged without the password."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, session: str = ""):
        self.clock, self.session = clock, session
        self.failures, self.locked_until = 0, 0.0
        self._judged: tuple[str, bool] | None = None

    def wait(self) -> float:
        return max(0.0, self.locked_until - self.clock())

    def check(self, given: str | None, configured: str | None) -> tuple[bool, float]:
        """(allowed, seconds to wait before another try)."""
        if not configured:
            return True, 0.0
        if not given:
            return False, self.wait()
        digest = hashlib.sha256(f"{configured}\0{given}".encode("utf-8", "surrogatepass")).hexdigest()
        if self._judged and self._judged[0] == digest:
            return self._judged[1], self.wait()
        if self.wait() > 0:
            return False, self.wait()
        allowed = editing_allowed(given, configured)
        self._judged = (digest, allowed)
        if allowed:
            self.failures, self.locked_until = 0, 0.0
            return True, 0.0
        self.failures += 1
        self.locked_until = self.clock() + wait_after(self.failures)
        _log.warning(
            "Feil redaktørpassord (%d. på rad i økt %s); neste forsøk om %.0f s",
            self.failures,
            self.session or "?",
            wait_after(self.failures),
        )
        return False, self.wait()
