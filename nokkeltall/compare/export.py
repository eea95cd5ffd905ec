"""Downloads: an Excel workbook (one sheet per indicator plus «Kilder»), PNG images of figures,
and file names made from the municipalities and the indicator.

PNG images are drawn server-side through ``nokkeltall.charts.images`` (Kaleido with Debian's
chromium, started once per process, every call bounded by a timeout)."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import pandas as pd

from nokkeltall import config, indicators, provenance, spreadsheet, tables, text
from nokkeltall.charts.style import wrap_title
from nokkeltall.compare import projected
from nokkeltall.compare import series as compare_series

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


def workbook_bytes(
    sheets: dict[str, pd.DataFrame],
    sources: pd.DataFrame,
    *,
    title: str = "",
    decimals: dict[str, int] | None = None,
) -> bytes:
    """An .xlsx file: one sheet per entry of ``sheets`` (label → table) and a «Kilder» sheet;
    ``decimals`` (label → decimals) gives each sheet's number format."""
    buffer = io.BytesIO()
    taken: set[str] = {"Kilder"}
    with spreadsheet.excel_writer(buffer) as writer:
        for label, table in sheets.items():
            tables.write_sheet(writer, sheet_name(label, taken), table, decimals=(decimals or {}).get(label))
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
    sheets, source_rows, decimals = {}, [], {}
    for indicator_id in indicator_ids:
        if projected.is_projected(indicator_id):  # a projection, not a series over the years
            continue
        indicator = indicators.get(indicator_id)
        series = compare_series.comparison_series(con, indicator_id, codes)
        series["value"] = [indicators.display_value(indicator, value) for value in series["value"]]
        label = (
            indicator.label
            if indicator.unit in ("personer", "indeks")
            else f"{indicator.label} ({indicator.unit})"
        )
        sheets[label] = tables.rounded(compare_series.wide_table(series), default=indicator.decimals)
        decimals[label] = indicator.decimals
        recalculated = (
            bool(series["recalculated"].fillna(False).astype(bool).any()) if not series.empty else False
        )
        for row in compare_series.indicator_source_rows(con, indicator_id).to_dict("records"):
            source_rows.append(
                {
                    "Indikator": indicator.label,
                    "Enhet": indicator.unit,
                    "Definisjon": indicator.definition,
                    "Tabell": provenance.table_label(row["table_id"]),
                    "Tittel": provenance.plain_caveat(row["title"]),
                    "Utgiver": provenance.publisher_name(row["publisher"]),
                    "Lisens": row["licence"],
                    "Oppdatert": text.iso_date(row["updated"]) or "",
                    "Merknad": "Noen tall er omregnet til dagens kommunegrenser." if recalculated else "",
                }
            )
    sources = pd.DataFrame(
        source_rows,
        columns=[
            "Indikator",
            "Enhet",
            "Definisjon",
            "Tabell",
            "Tittel",
            "Utgiver",
            "Lisens",
            "Oppdatert",
            "Merknad",
        ],
    )
    names = ", ".join(compare_series.municipality_names(con, codes).values())
    title = f"Nøkkeltall for {names}. Laget {text.long_date(date.today())}. {config.SSB_CREDIT}."
    return workbook_bytes(sheets, sources, decimals=decimals, title=title)


# --- PNG ------------------------------------------------------------------------------------------


def png_bytes(
    figure, width: int = 1200, height: int = 675, scale: float = 1.0, *, title: str = "", source: str = ""
) -> bytes:
    """The figure as PNG, drawn offline by the app's one Kaleido manager (``nokkeltall.charts.images``).

    ``title`` (the finding sentence) and ``source`` are drawn into the image, so a pasted picture keeps
    them. Raises ``images.ImagesUnavailable`` (a Norwegian message) when no browser can draw it.
    """
    import plotly.graph_objects as go  # noqa: PLC0415

    from nokkeltall.charts import images

    fig = go.Figure(figure)
    height = max(height, int(fig.layout.height or 0))
    if title:
        heading = wrap_title(title, width=max(60, int(width / 11)))  # about 11 px a character at 17 px
        # room for the heading's lines and, under it, the legend (moved above the plot when a source is drawn)
        top = 60 + 24 * heading.count("<br>") + (35 if source else 0)
        fig.update_layout(
            title=dict(
                text=heading, x=0.01, xanchor="left", yref="container", y=1 - 18 / height, yanchor="top"
            ),
            margin=dict(t=top),
        )
    if source:
        # wrapped to the image width (about 7 px a character at 12 px), so a long source line is not cut off
        lines = wrap_title(source, width=max(60, int(width / 7.5)))
        fig.add_annotation(
            text=lines,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="top",
            yshift=-50,
            align="left",
            showarrow=False,
            font=dict(size=12, color="#555"),
        )
        fig.update_layout(
            margin=dict(b=80 + 16 * lines.count("<br>")),
            # the legend above the plot, so the source line is the last thing in the picture
            legend=dict(orientation="h", x=0, xanchor="left", y=1.01, yanchor="bottom"),
        )
    return images.figure_png(fig, width=width, height=height, scale=scale)


def stop_kaleido() -> None:
    from nokkeltall.charts import images

    images.stop()
