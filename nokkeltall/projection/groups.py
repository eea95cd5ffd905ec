"""Age groups of the projection (ages inclusive; ``None`` = and older)."""

from __future__ import annotations

import numpy as np

from nokkeltall.projection.data import N_AGES, ProjectionError

GROUPS: dict[str, tuple[int, int | None]] = {
    "total": (0, None),
    "0-19": (0, 19),
    "20-66": (20, 66),
    "67+": (67, None),
    "80+": (80, None),
    "0-5": (0, 5),
    "6-15": (6, 15),
    "16-19": (16, 19),
    "67-79": (67, 79),
}
# Groups with prediction intervals (their backtest errors are kept); the CLI offers these.
INTERVAL_GROUPS: tuple[str, ...] = ("total", "0-19", "20-66", "67+", "80+")
# The groups the municipality page shows.
DISPLAY_GROUPS: tuple[str, ...] = ("0-5", "6-15", "16-19", "20-66", "67-79", "80+")

GROUP_LABELS = {
    "total": "Hele befolkningen",
    "0-19": "0–19 år",
    "20-66": "20–66 år",
    "67+": "67 år og eldre",
    "80+": "80 år og eldre",
    "0-5": "0–5 år",
    "6-15": "6–15 år",
    "16-19": "16–19 år",
    "67-79": "67–79 år",
}


def group_slice(name: str) -> slice:
    if name not in GROUPS:
        raise ProjectionError(f"Ukjent aldersgruppe «{name}». Velg en av: {', '.join(GROUPS)}.")
    low, high = GROUPS[name]
    return slice(low, N_AGES if high is None else high + 1)


def group_sums(values: np.ndarray, names=INTERVAL_GROUPS) -> np.ndarray:
    """``values[..., age]`` → ``[..., group]``."""
    return np.stack([values[..., group_slice(name)].sum(axis=-1) for name in names], axis=-1)
