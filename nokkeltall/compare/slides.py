"""Decks for the gathering mode: a deck is a named list of slides, each one figure
(indicator × municipalities × view) with its one-sentence finding.

Decks are built from the current comparison or are the ready deck «Befolkning i
nettverkskommunene»; they are saved in the user-data file (``nokkeltall.store.decks``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from nokkeltall import indicators
from nokkeltall.compare import choices

READY_DECK_KEY = "befolkning"
READY_DECK_NAME = "Befolkning i nettverkskommunene"
# (indicator, view) of the ready deck, in presentation order.
READY_DECK_SLIDES = (
    ("population", "indeks"),
    ("population_change_10y_pct", "stolper"),
    ("share_67_plus_pct", "stolper"),
    ("share_0_19_pct", "stolper"),
    ("median_age", "stolper"),
    ("population", "rangering"),
)


@dataclass(frozen=True)
class Slide:
    indicator_id: str
    codes: tuple[str, ...]
    view: str = choices.DEFAULT_VIEW
    base_year: int | None = None


@dataclass
class Deck:
    name: str
    slides: list[Slide] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_list(self) -> list[dict]:
        return [{**asdict(s), "codes": list(s.codes)} for s in self.slides]


def deck_from_comparison(codes, indicator_ids, view: str = choices.DEFAULT_VIEW, base_year: int | None = None,
                         name: str = "Sammenligning") -> Deck:
    """One slide per chosen indicator, in the chosen view, for the chosen municipalities."""
    codes = tuple(codes)[: choices.MAX_MUNICIPALITIES]
    return Deck(name, [Slide(i, codes, view, base_year) for i in indicator_ids])


def network_codes(applications: list[dict]) -> list[str]:
    """Municipalities with an application marked «valgt», in number order."""
    return sorted({a["municipality_code"] for a in applications if a.get("status") == "valgt"})


def ready_deck(codes) -> Deck:
    """«Befolkning i nettverkskommunene»; more than eight municipalities are split over several slides."""
    codes = list(codes)
    if not codes:
        return Deck(READY_DECK_NAME, [], ["Ingen kommuner er valgt til nettverket ennå (ingen søknad har status "
                                          "«valgt»). Registrer dem under Søknader."])
    groups = [tuple(codes[i:i + choices.MAX_MUNICIPALITIES]) for i in range(0, len(codes), choices.MAX_MUNICIPALITIES)]
    slides = [Slide(indicator_id, group, view) for indicator_id, view in READY_DECK_SLIDES for group in groups]
    return Deck(READY_DECK_NAME, slides)


def deck_from_list(name: str, items: list[dict], known_codes) -> Deck:
    """Rebuild a saved deck, dropping (and naming) slides that no longer make sense."""
    known = set(known_codes)
    slides, problems = [], []
    for number, item in enumerate(items or [], start=1):
        indicator_id = item.get("indicator_id")
        view = item.get("view") or choices.DEFAULT_VIEW
        codes = tuple(c for c in item.get("codes") or [] if c in known)[: choices.MAX_MUNICIPALITIES]
        if indicator_id not in indicators.BY_ID:
            problems.append(f"Lysbilde {number}: ukjent indikator «{indicator_id}» er utelatt.")
        elif view not in choices.VIEWS:
            problems.append(f"Lysbilde {number}: ukjent visning «{view}» er utelatt.")
        elif not codes:
            problems.append(f"Lysbilde {number}: ingen kjente kommuner; utelatt.")
        else:
            base_year = item.get("base_year")
            slides.append(Slide(indicator_id, codes, view, int(base_year) if base_year else None))
    return Deck(name, slides, problems)


def slide_position(raw, count: int) -> tuple[int, str | None]:
    """The 1-based slide number from ``?lysbilde=``; out of range or not a number → 1 and a message."""
    if raw is None or str(raw).strip() == "":
        return 1, None
    given = str(raw).strip()
    if given.isascii() and given.isdigit() and len(given) <= 6 and 1 <= int(given) <= max(count, 1):  # not «²»
        return int(given), None
    shown = choices._shown(given)
    return 1, f"Lysbilde «{shown}» finnes ikke (settet har {count} lysbilder). Viser lysbilde 1."
