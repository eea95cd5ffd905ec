"""Where a figure comes from, in plain Norwegian: every source line and caveat the app, the documents,
the slides and the downloads show is written here.

    source_text(rows)        «Kilde: SSB, tabell 07459 (befolkning 1. januar), hentet 26. november 2026»
    indicator_source(con, id) the same for an indicator of the catalogue
    table_label("KDD-DKI")   «Grønt hefte (kostnadsindeks)» — never an internal id
    short_source("07459")    «SSB, tabell 07459» (key-figure tables)
    third_party_notes(rows)  «SSB-tall fra KOSTRA (kommuneregnskap), sammenstilt av en tredjepart; …»
    plain_caveat(text)       a dataset's caveat without repositories, internal ids or ISO dates
    recalculated_note(...)   «Tallene for Træna for 2005–2019 er omregnet til dagens kommunegrenser …»

``rows`` are rows of the ``dataset`` table (``queries.indicator_sources``/``datasets``: table_id,
publisher, updated, fetched, caveat). Repositories and file names of third-party compilations are
named only on the page «Om data» (the full dataset table); everywhere else a compilation is said once,
in words a council member understands.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pandas as pd

from nokkeltall import harmonise, indicators, queries, text

PUBLISHER_SSB = "Statistisk sentralbyrå"
SSB = "SSB"
KDD = "Kommunal- og distriktsdepartementet"

TOPICS = {  # what an SSB table holds, in a few words
    "07459": "befolkning 1. januar",
    "06913": "befolkningsendringer",
    "01222": "befolkningsendringer per kvartal",
    "03321": "pendling mellom kommuner",
    "11618": "sysselsatte etter bosted og arbeidssted",
    "06096": "samlivsform",
    "07182": "husholdningsinntekt",
    "11694": "salg av fritidseiendommer",
    "14288": "befolkningsframskrivinger",
}
NAMED_TABLES = {  # sources that are not numbered SSB tables
    "KOSTRA": "KOSTRA (kommuneregnskap)",
    "KOSTRA-GRUPPER": "KOSTRA-gruppene",
    "KDD-DKI": "Grønt hefte (kostnadsindeks)",
    "KDD-GRONTHEFTE": "Grønt hefte (frie inntekter)",
    "KDD-ROBEK": "ROBEK-registeret",
    "KLASS-128": "sentralitetsindeksen",
    "KLASS-131": "kommuneinndelingen",
    "SSB-BA": "bo- og arbeidsmarkedsregionene",
    "SSB-PROFIL": "kommuneprofiler",
    "PLANSTATUS": "planstatus fra kommunenes nettsider",
    "KARTVERKET-GRENSER": "kommune- og fylkesgrenser",
}
THIRD_PARTY = re.compile(r"tredjepart|\bvia\b|avledet", re.IGNORECASE)
NOT_CHECKED = re.compile(r"ikke kontrollert", re.IGNORECASE)
# «(Lippen1995/Project_statsbudsjett)», «FemtiGram/kart» …: an owner/name pair of a code repository
REPOSITORY = re.compile(r"\b[A-Za-z][\w.-]*\d*/[\w.-]*[A-Za-z_][\w.-]*\b")
NOT_REPOSITORIES = {"kommunekasse/konsern", "ut-/innpendling", "start/slutt"}
INTERNAL_NAME = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")  # a measure's or indicator's id («households_total»)
CAVEAT_WORDING: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [  # → plain Norwegian
    (
        re.compile(
            r"Avledet: tall fra et tredjepartsprosjekt(?: \([^)]*\))?, ikke kontrollert mot data\.ssb\.no\."
        ),
        "Sammenstilt av en tredjepart; ikke kontrollert mot SSBs egen tabell ennå.",
    ),
    (re.compile(r"Ikke kontrollert mot data\.ssb\.no\."), "Ikke kontrollert mot SSBs egne tabeller ennå."),
    (re.compile(r"\s*Dekning:[^.;]*(?:;[^.]*)?\."), ""),  # names measures by internal ids
    (re.compile(r"csdata \(Folkehelseinstituttet\)"), "Folkehelseinstituttet"),
    (re.compile(r"Avledet fra csdata"), "Avledet av Folkehelseinstituttet"),
    (re.compile(r" \(Telemark fylkeskommune-repo\)"), " (Telemark fylkeskommune)"),
    (re.compile(r" \((?:kommunebarometer|csdata)\)|, via csdata"), ""),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(?:T[\d:+.Z-]*)?\b"), lambda m: text.iso_date(m.group(0)) or m.group(0)),
]


# --- names ------------------------------------------------------------------------------------------


def publisher_name(publisher) -> str:
    """«SSB (via FemtiGram/kart)» → «SSB»; «Kommunal- og distriktsdepartementet (KDD)» → the ministry."""
    raw = (
        "" if publisher is None or (not isinstance(publisher, str) and pd.isna(publisher)) else str(publisher)
    )
    if raw.startswith((PUBLISHER_SSB, SSB)) or "KLASS" in raw:
        return SSB
    if raw.startswith(KDD):
        return KDD
    if raw.startswith("Kommunenes nettsider"):
        return "kommunenes nettsider"
    cleaned = re.sub(r"\s*\([^)]*\)", "", raw).strip()
    return cleaned if cleaned and not REPOSITORY.search(cleaned) else SSB


def table_label(table_id) -> str:
    """«tabell 07459 (befolkning 1. januar)», «KOSTRA (kommuneregnskap)», «Grønt hefte (kostnadsindeks)»."""
    table_id = str(table_id)
    if table_id.isdigit():
        topic = TOPICS.get(table_id)
        return f"tabell {table_id} ({topic})" if topic else f"tabell {table_id}"
    if table_id.startswith("KOSTRA-") and table_id[7:].isdigit():
        return f"KOSTRA, tabell {table_id[7:]}"
    return NAMED_TABLES.get(table_id, "egen sammenstilling")


def short_source(table_id) -> str:
    """A source for a key-figure row: «SSB, tabell 07459», «SSB, KOSTRA», «KDD, ROBEK-registeret»."""
    table_id = str(table_id)
    if table_id.isdigit():
        return f"SSB, tabell {table_id}"
    publisher = KDD if table_id.startswith("KDD") else SSB
    label = NAMED_TABLES.get(table_id, "egen sammenstilling")
    return f"{publisher}, {label.split(' (')[0] if table_id == 'KOSTRA' else label}"


def table_list_line(table_ids: list[str], updated: str | None = None) -> str:
    """«Kilde: SSB, tabell 07459 (befolkning 1. januar) og tabell 11618 (…)» for numbered SSB tables."""
    labels = [table_label(t) for t in sorted({str(t) for t in table_ids if t})]
    line = f"Kilde: {SSB}, {_joined(labels)}" if labels else f"Kilde: {SSB}"
    when = text.iso_date(updated) if updated else None
    return f"{line}, oppdatert {when}" if when else line


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


def _plain(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


# --- source lines ---------------------------------------------------------------------------------


def _date_phrase(sources: pd.DataFrame) -> str | None:
    """«oppdatert 21. mai 2025» for one table with SSB's publication date, else «hentet …» (latest)."""
    tables = {_plain(t) for t in sources["table_id"]} if "table_id" in sources else set()
    updated = sorted(_plain(u)[:10] for u in sources.get("updated", pd.Series(dtype=str)) if _plain(u))
    fetched = sorted(_plain(f)[:10] for f in sources.get("fetched", pd.Series(dtype=str)) if _plain(f))
    if len(tables) == 1 and updated:
        return f"oppdatert {text.iso_date(updated[-1])}"
    if fetched:
        return f"hentet {text.iso_date(fetched[-1])}"
    if updated:
        return f"oppdatert {text.iso_date(updated[-1])}"
    return None


def source_text(sources: pd.DataFrame | None) -> str:
    """One source line from rows of the ``dataset`` table.

    «Kilde: SSB, tabell 07459 (befolkning 1. januar), hentet 26. november 2026»; several publishers
    are joined with «;». The date is SSB's publication date when one table has it, else the date the
    files were fetched.
    """
    if sources is None or sources.empty:
        return f"Kilde: {SSB}"
    groups: dict[str, list[str]] = {}
    for row in sources.to_dict("records"):
        label = table_label(row.get("table_id"))
        labels = groups.setdefault(publisher_name(row.get("publisher")), [])
        if label not in labels:
            labels.append(label)
    line = "Kilde: " + "; ".join(f"{publisher}, {_joined(labels)}" for publisher, labels in groups.items())
    when = _date_phrase(sources)
    return f"{line}, {when}" if when else line


def indicator_source(con, *indicator_ids: str) -> str:
    frames = [queries.indicator_sources(con, i) for i in indicator_ids]
    return source_text(pd.concat(frames, ignore_index=True) if frames else None)


# --- caveats ----------------------------------------------------------------------------------------


def is_third_party(row: dict) -> bool:
    return bool(
        THIRD_PARTY.search(_plain(row.get("publisher"))) or THIRD_PARTY.search(_plain(row.get("caveat")))
    )


def third_party_notes(sources: pd.DataFrame | None) -> list[str]:
    """One plain sentence per source that came through a third-party compilation (say it once per page).

    «SSB-tall fra KOSTRA (kommuneregnskap), sammenstilt av en tredjepart; ikke kontrollert mot SSBs egen
    tabell ennå.»
    """
    if sources is None or sources.empty:
        return []
    notes: dict[str, str] = {}
    rows = sources.to_dict("records")
    for row in rows:
        if not is_third_party(row):
            continue
        label = table_label(row.get("table_id"))
        publisher = publisher_name(row.get("publisher"))
        unchecked = bool(NOT_CHECKED.search(_plain(row.get("caveat"))))
        whose = "SSB-tall" if publisher == SSB else "Tall"
        partly = any(table_label(r.get("table_id")) == label and not is_third_party(r) for r in rows)
        sentence = (
            f"Noen av {whose.lower() if whose == 'Tall' else 'SSB-tallene'} fra {label} er sammenstilt av "
            "en tredjepart"
            if partly
            else f"{whose} fra {label}, sammenstilt av en tredjepart"
        )
        if unchecked:
            sentence += (
                "; ikke kontrollert mot "
                + ("SSBs egen tabell" if publisher == SSB else "originalen")
                + " ennå"
            )
        if unchecked or label not in notes:
            notes[label] = sentence + "."
    return list(notes.values())


def plain_caveat(caveat) -> str:
    """A dataset's caveat for user-facing text: no repository names, internal ids or ISO dates."""
    value = _plain(caveat)
    for pattern, replacement in CAVEAT_WORDING:
        value = pattern.sub(replacement, value)
    value = re.sub(r"\s*\(([^()]*)\)", _without_internal_names, value)
    value = _without_repositories(value)
    for table_id, label in NAMED_TABLES.items():
        value = re.sub(rf"\b{re.escape(table_id)}\b(?!-)", label, value)
    return re.sub(r"\s{2,}", " ", value).replace(" ,", ",").replace(" .", ".").strip()


def _repositories(value: str) -> set[str]:
    return set(REPOSITORY.findall(value)) - NOT_REPOSITORIES


def _without_internal_names(match: re.Match) -> str:
    """A parenthesis without the repositories in it; dropped when it names internal ids or is left empty."""
    inside = match.group(1)
    if INTERNAL_NAME.search(inside):
        return ""
    for found in _repositories(inside):
        inside = re.sub(r"(?:av |fra )?" + re.escape(found) + r"[,;]?\s*", "", inside)
    inside = inside.strip(" ,;")
    return f" ({inside})" if inside else ""


def _without_repositories(value: str) -> str:
    for found in _repositories(value):
        value = re.sub(r"\s*(?:av |fra )?" + re.escape(found), "", value)
    return value


def caveat_notes(sources: pd.DataFrame | None, topic: str) -> list[str]:
    """The datasets' own caveats, plain, labelled with their topic: «Forbehold om økonomi: …»."""
    if sources is None or sources.empty or "caveat" not in sources:
        return []
    caveats = dict.fromkeys(plain_caveat(c) for c in sources["caveat"] if _plain(c))
    return [f"Forbehold om {topic}: {c}" for c in caveats if c]


def recalculated_note(frame: pd.DataFrame, name: str) -> str | None:
    """«Tallene for Træna for 2005–2019 er omregnet til dagens kommunegrenser.» or None."""
    if frame is None or frame.empty or "recalculated" not in frame:
        return None
    years = sorted(
        int(y) for y in frame.loc[frame["recalculated"].fillna(False).astype(bool), "year"].unique()
    )
    if not years:
        return None
    span = text.year_span(years)
    note = (
        f"Tallene for {name} for {span} er omregnet til dagens kommunegrenser "
        "(markert «omregnet» i tabellen)."
    )
    estimated = frame.get("estimated")
    if estimated is not None and estimated.fillna(False).astype(bool).any():
        flagged = estimated.fillna(False).astype(bool)
        shared = sorted(int(y) for y in frame.loc[flagged, "year"].unique())
        note += (
            f" For {text.year_span(shared)} er en del av en delt kommune tatt med etter en anslått "
            "andel (se «Om data»)."
        )
    return note


# --- the tables of «Om data» ------------------------------------------------------------------------
# The dataset tables are functions of the database (``con`` first), so the page can share one copy per
# build instead of building the frames on every rerun.


@functools.cache
def catalogue_table() -> pd.DataFrame:
    """Every indicator with its unit, definition and source table (the catalogue is code: one frame per
    process, shared — callers must not change it)."""
    return pd.DataFrame(
        [
            {
                "Indikator": i.label,
                "Enhet": i.unit,
                "Definisjon": i.definition,
                "Tabell": i.table_id,
                "Koder": i.ssb_codes,
                "Tema": i.category,
                "Id": i.id,
            }
            for i in indicators.CATALOGUE
        ]
    )


DATASET_COLUMNS = {
    "table_id": "Tabell",
    "title": "Tittel",
    "publisher": "Utgiver",
    "dato": "Oppdatert/hentet",
    "år": "År",
    "rows": "Rader",
    "source": "Kilde",
    "licence": "Lisens",
    "caveat": "Forbehold",
}


def dataset_table(con) -> pd.DataFrame:
    """Every dataset in the database with its source, date, years and caveat (Norwegian columns)."""
    datasets = queries.datasets(con)
    shown = datasets.assign(
        år=[
            f"{a}–{b}" if pd.notna(a) else ""
            for a, b in zip(datasets["year_min"], datasets["year_max"], strict=False)
        ],
        dato=[text.iso_date(d) or text.MISSING for d in datasets["updated"].fillna(datasets["fetched"])],
    )
    return shown[list(DATASET_COLUMNS)].rename(columns=DATASET_COLUMNS)


def split_estimate_table(con) -> pd.DataFrame:
    """The estimated divisions of old municipalities, as shown in «Om data»."""
    return harmonise.estimate_table(queries.split_estimates(con))
