"""Scenarios the user sets: net migration of N persons a year in chosen ages, the birth level ±%, and
«som siste 5/10 år» (the cohort ratios of the last 5 or 10 years, without the trend constraint).

A scenario is written as text so it fits in a URL and on the command line, e.g.
``netto=+5:20-39,fødsler=-10`` or ``siste10``. Absurd values end in a Norwegian ``ProjectionError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from nokkeltall import text
from nokkeltall.projection.data import OPEN_AGE, ProjectionError

MAX_MIGRATION = 10_000
BIRTH_LIMITS = (-100.0, 200.0)
DEFAULT_AGES = (20, 39)
HISTORY_WINDOWS = (5, 10)


def _short(value: float) -> str:
    """5 → «5», 2.5 → «2,5», -500 → «−500»."""
    return text.number(value, 1).removesuffix(",0")


def age_span(ages: tuple[int, int]) -> str:
    """(20, 39) → «i alderen 20–39 år»; (0, 0) → «i alderen 0 år» (not «0–0»)."""
    low, high = ages
    return f"i alderen {low} år" if low == high else f"i alderen {low}–{high} år"


@dataclass(frozen=True)
class Scenario:
    migration: float = 0.0  # net persons a year (negative = net out-migration)
    ages: tuple[int, int] = DEFAULT_AGES
    birth_pct: float = 0.0
    history: int | None = None  # 5 or 10: «som siste 5/10 år»

    @property
    def is_main(self) -> bool:
        return self == Scenario()

    def text(self) -> str:
        """The scenario as text (``parse(s.text()) == s``); empty for the main projection."""
        parts = []
        if self.history:
            parts.append(f"siste{self.history}")
        if self.migration:
            parts.append(f"netto={self.migration:+g}:{self.ages[0]}-{self.ages[1]}")
        if self.birth_pct:
            parts.append(f"fødsler={self.birth_pct:+g}")
        return ",".join(parts)

    def description(self) -> str:
        """Norwegian, for headings and legends."""
        if self.is_main:
            return "Hovedalternativ (dagens utvikling)"
        parts = []
        if self.history:
            parts.append(f"som siste {self.history} år")
        if self.migration:
            sign = "+" if self.migration > 0 else "−"
            parts.append(f"netto flytting {sign}{_short(abs(self.migration))} per år {age_span(self.ages)}")
        if self.birth_pct:
            sign = "+" if self.birth_pct > 0 else "−"
            parts.append(f"fødsler {sign}{_short(abs(self.birth_pct))} %")
        return ", ".join(parts).capitalize()


_ITEM = re.compile(r"^(netto|fødsler|fodsler)=([+\-−]?\d+(?:[.,]\d+)?)%?(?::(\d+)-(\d+))?$")


def parse(given: str | None) -> Scenario:
    """``"netto=+5:20-39,fødsler=-10,siste5"`` → Scenario; "" or "hoved" → the main projection."""
    scenario: dict = {}
    for item in (given or "").replace(" ", "").lower().split(","):
        if item in ("", "hoved", "hovedalternativ"):
            continue
        if item in ("siste5", "siste10"):
            _set_once(scenario, "history", int(item.removeprefix("siste")), item)
            continue
        match = _ITEM.match(item)
        if not match:
            written = given or ""
            shown = written if len(written) <= 60 else written[:57] + "…"
            raise ProjectionError(
                f"Forstår ikke scenarioet «{shown}». Skriv f.eks. «netto=+5:20-39» (fem flere innbyggere i "
                "året i alderen 20–39), «fødsler=-10» (10 % færre fødte) eller «siste5»/«siste10»."
            )
        key, number, low, high = match.groups()
        value = float(number.replace(",", ".").replace("−", "-"))
        if key == "netto":
            _set_once(scenario, "migration", value, item)
            if low is not None:
                scenario["ages"] = (int(low), int(high))
        else:
            _set_once(scenario, "birth_pct", value, item)
    return validate(Scenario(**scenario))


_PART_NAMES = {"history": "«som siste år»", "migration": "netto flytting", "birth_pct": "fødselsnivået"}


def _set_once(scenario: dict, key: str, value: float | int, item: str) -> None:
    """A scenario names each part once: «siste5,siste10» or two «netto=» would silently keep the last."""
    if key in scenario:
        raise ProjectionError(
            f"Scenarioet angir {_PART_NAMES[key]} to ganger (senest «{item}»). Skriv hver del bare én gang."
        )
    scenario[key] = value


def validate(scenario: Scenario) -> Scenario:
    low, high = scenario.ages
    if not 0 <= low <= high <= OPEN_AGE:
        raise ProjectionError(
            f"Aldersgruppen {low}–{high} år går ikke: velg aldre mellom 0 og {OPEN_AGE} "
            "år, den laveste først."
        )
    if abs(scenario.migration) > MAX_MIGRATION:
        raise ProjectionError(
            f"Netto flytting på {text.number(scenario.migration)} personer i året er "
            f"urimelig (grensen er ±{text.number(MAX_MIGRATION)})."
        )
    if not BIRTH_LIMITS[0] <= scenario.birth_pct <= BIRTH_LIMITS[1]:
        raise ProjectionError(
            f"Fødselsnivået kan endres med mellom −100 % og +200 %, ikke {_short(scenario.birth_pct)} %."
        )
    if scenario.history not in (None, *HISTORY_WINDOWS):
        raise ProjectionError("«Som siste år» kan bare være siste 5 eller siste 10 år.")
    return scenario


def migrants(scenario: Scenario, first_year: int):
    """The ``migrants(h, population)`` function for ``model.run``: positive net migration spread evenly
    over the ages, negative taken in proportion to who lives there. Raises ProjectionError when the
    scenario would take out more persons than there are."""
    low, high = scenario.ages
    ages = slice(low, high + 1)
    count = high - low + 1

    def add(h: int, population: np.ndarray) -> np.ndarray:
        out = np.zeros_like(population)
        if scenario.migration >= 0:
            out[:, ages] = scenario.migration / count
            return out
        present = population[:, ages].sum(axis=1)
        if (present + 1e-9 < -scenario.migration).any():
            raise ProjectionError(
                f"Scenarioet flytter ut {text.number(-scenario.migration)} personer i året "
                f"{age_span(scenario.ages)}, men i {first_year + h} ville kommunen bare ha "
                f"{text.number(float(present.min()))} personer i den alderen. "
                "Velg en mindre netto utflytting."
            )
        share = np.where(present > 0, -scenario.migration / np.where(present > 0, present, 1.0), 0.0)
        out[:, ages] = -population[:, ages] * share[:, None]
        return out

    return add
