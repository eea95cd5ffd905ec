"""Downloads: an Excel workbook (one sheet per indicator plus «Kilder»), PNG images of figures,
and file names made from the municipalities and the indicator.

PNG images are drawn server-side by Kaleido with Debian's chromium. One Kaleido server is
started per process on first use (about 3 s) and reused (about 0.2 s per image). MathJax is
switched off and plotly.js comes from the installed plotly package, so nothing is fetched from
the internet."""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from datetime import date

import pandas as pd

from nokkeltall import config, indicators, spreadsheet, text
from nokkeltall.compare import series as compare_series

_KALEIDO_LOCK = threading.Lock()
_KALEIDO_STARTED = False
SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


# --- file names -----------------------------------------------------------------------------------

def slug(value: str) -> str:
    """«Raarvihke - Røyrvik» → «raarvihke-royrvik» (ASCII, for file names)."""
    value = str(value).translate(_TRANSLITERATE)
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def file_name(names: list[str], label: str, extension: str, limit: int = 120) -> str:
    """«traena-royrvik_folketall.xlsx»; long lists become «traena-royrvik-m-fl-6_…»."""
    places = [slug(n) for n in names if slug(n)]
    joined = "-".join(places)
    if len(joined) > 60 and len(places) > 2:
        joined = "-".join(places[:2]) + f"-m-fl-{len(places) - 2}"
    stem = "_".join(part for part in (joined, slug(label)) if part) or "nokkeltall"
    return f"{stem[:limit]}.{extension.lstrip('.')}"


def sheet_name(label: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, no []:*?/\\)."""
    base = _SHEET_FORBIDDEN.sub(" ", label).strip() or "Ark"
    base = base[:SHEET_NAME_LIMIT]
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


# --- Excel ------------------------------------------------------------------------------------------

def workbook_bytes(sheets: dict[str, pd.DataFrame], sources: pd.DataFrame, *, title: str = "") -> bytes:
    """An .xlsx file: one sheet per entry of ``sheets`` (label → table) and a «Kilder» sheet."""
    buffer = io.BytesIO()
    taken: set[str] = {"Kilder"}
    with spreadsheet.excel_writer(buffer) as writer:
        for label, table in sheets.items():
            name = sheet_name(label, taken)
            table = spreadsheet.safe_cells(table)
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes(1, 1)
            for i, column in enumerate(table.columns):
                sheet.set_column(i, i, max(10, min(40, len(str(column)) + 2)))
        sources = spreadsheet.safe_cells(sources)
        sources.to_excel(writer, sheet_name="Kilder", index=False)
        sheet = writer.sheets["Kilder"]
        for i, column in enumerate(sources.columns):
            sheet.set_column(i, i, 60 if column in ("Tittel", "Definisjon", "Merknad") else 18)
        if title:
            sheet.write_string(len(sources) + 2, 0, spreadsheet.neutralise(title))
    return buffer.getvalue()


def comparison_workbook(con, indicator_ids: list[str], codes: list[str]) -> bytes:
    """The chosen indicators for the chosen municipalities (with county and country), years as rows."""
    sheets, source_rows = {}, []
    for indicator_id in indicator_ids:
        indicator = indicators.get(indicator_id)
        series = compare_series.comparison_series(con, indicator_id, codes)
        series["value"] = [indicators.display_value(indicator, value) for value in series["value"]]
        label = indicator.label if indicator.unit in ("personer", "indeks") else f"{indicator.label} ({indicator.unit})"
        sheets[label] = compare_series.wide_table(series)
        recalculated = bool(series["recalculated"].fillna(False).astype(bool).any()) if not series.empty else False
        for row in compare_series.indicator_source_rows(con, indicator_id).to_dict("records"):
            source_rows.append({
                "Indikator": indicator.label, "Enhet": indicator.unit, "Definisjon": indicator.definition,
                "Tabell": row["table_id"], "Tittel": row["title"], "Utgiver": row["publisher"],
                "Lisens": row["licence"], "Oppdatert": row["updated"] or "",
                "Merknad": "Noen tall er omregnet til dagens kommunegrenser." if recalculated else "",
            })
    sources = pd.DataFrame(source_rows, columns=["Indikator", "Enhet", "Definisjon", "Tabell", "Tittel", "Utgiver",
                                                 "Lisens", "Oppdatert", "Merknad"])
    names = ", ".join(compare_series.municipality_names(con, codes).values())
    return workbook_bytes(sheets, sources, title=f"Nøkkeltall for {names}. Laget {text.long_date(date.today())}. "
                                                 f"{config.SSB_CREDIT}.")


# --- PNG ------------------------------------------------------------------------------------------

def _ensure_kaleido() -> None:
    global _KALEIDO_STARTED
    if _KALEIDO_STARTED:
        return
    import kaleido  # noqa: PLC0415 — slow import, only when an image is asked for

    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    _KALEIDO_STARTED = True


def png_bytes(figure, width: int = 1200, height: int = 675, scale: float = 1.0, *, title: str = "",
              source: str = "") -> bytes:
    """The figure as PNG, rendered offline by Kaleido (server started once per process).

    ``title`` and ``source`` are drawn into the image, so a pasted picture keeps its source.
    """
    import kaleido  # noqa: PLC0415
    import plotly.graph_objects as go  # noqa: PLC0415

    fig = go.Figure(figure)
    height = max(height, int(fig.layout.height or 0))
    if title:
        fig.update_layout(title=dict(text=title, x=0.01, xanchor="left"), margin=dict(t=70))
    if source:
        fig.add_annotation(text=source, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                           yshift=-90, showarrow=False, font=dict(size=12, color="#555"))
        fig.update_layout(margin=dict(b=120))
    with _KALEIDO_LOCK:
        _ensure_kaleido()
        return kaleido.calc_fig_sync(fig.to_dict(), opts=dict(format="png", width=width, height=height, scale=scale))


def stop_kaleido() -> None:
    global _KALEIDO_STARTED
    if _KALEIDO_STARTED:
        import kaleido  # noqa: PLC0415

        kaleido.stop_sync_server(silence_warnings=True)
        _KALEIDO_STARTED = False
