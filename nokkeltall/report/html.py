"""The fact-base document as one self-contained HTML file.

Images are embedded as ``data:`` URIs, styles are inline, nothing is fetched from elsewhere (works
offline). Every piece of text, including municipality names and what users entered, goes through
``html.escape``.
"""

from __future__ import annotations

import base64
from html import escape

from nokkeltall.report.content import BulletList, Chart, Heading, Note, NotesArea, Paragraph, Report, Table

STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; max-width: 56rem;
       margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; line-height: 1.5; }
h1 { font-size: 1.9rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #1f5f8b; }
.subtitle { color: #555; margin-top: 0; }
figure { margin: 1.2rem 0; } figure img { width: 100%; height: auto; border: 1px solid #ddd; }
figcaption, .small { font-size: .85rem; color: #555; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 .2rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #ccc; padding: .25rem .45rem; vertical-align: top; }
th { background: #eef3f7; text-align: left; }
td.number { text-align: right; white-space: nowrap; }
@media print { body { max-width: none; } figure, table { break-inside: avoid; } }
"""


def _is_number(value: str) -> bool:
    stripped = (
        value.replace(" ", "").replace("\u00a0", "").replace("%", "").replace("kr", "").replace("år", "")
    )
    stripped = stripped.replace(",", "").replace("−", "").replace("*", "").replace("–", "")
    return bool(value.strip()) and stripped.isdigit()


def _table(table: Table) -> str:
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in table.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="number">{escape(v)}</td>' if i > 0 and _is_number(v) else f"<td>{escape(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    source = f'<p class="small">{escape(table.source)}</p>' if table.source else ""
    return (
        f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{source}"
    )


def _chart(chart: Chart) -> str:
    if chart.image is None:  # no browser to draw it: the same numbers as a table
        if chart.table is None:
            return ""
        note = f'<p class="small">{escape(chart.note)}</p>' if chart.note else ""
        return _table(chart.table) + note + f'<p class="small">{escape(chart.source)}</p>'
    data = base64.b64encode(chart.image).decode("ascii")
    note = f"<br>{escape(chart.note)}" if chart.note else ""
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(chart.title)}">'
        f"<figcaption>{escape(chart.title)}{note}<br>{escape(chart.source)}</figcaption></figure>"
    )


def _block(block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return _chart(block)
    if isinstance(block, Note):
        return f'<p class="small">{escape(block.text)}</p>'
    if isinstance(block, Heading):
        level = min(block.level + 1, 6)
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, BulletList):
        tag = "ol" if block.numbered else "ul"
        return f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in block.items) + f"</{tag}>"
    if isinstance(block, NotesArea):
        return (
            f'<div class="small" style="border:1px solid #ccc;min-height:{block.lines * 1.6}rem;'
            f'padding:.3rem">{escape(block.label)}</div>'
        )
    return ""


def render(report: Report) -> str:
    """The whole document as an HTML string."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nb"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head><body>",
        f'<h1>{escape(report.title)}</h1><p class="subtitle">{escape(report.subtitle)}</p>',
    ]
    if report.images_note:
        parts.append(f'<p class="small"><em>{escape(report.images_note)}</em></p>')
    for section in report.sections:
        parts.append(f"<section><h2>{escape(section.title)}</h2>")
        parts.extend(_block(b) for b in section.blocks)
        parts.append("</section>")
    parts.append(f'<footer><p class="small">{escape(report.licence)}</p></footer></body></html>')
    return "\n".join(parts)
