"""The fact-base document (kunnskapsgrunnlag): content as data, rendered to Word and HTML.

    from nokkeltall.report import generate
    generate(con, "1836", "docx", "rodoy.docx")           # with charts (kaleido + chromium)
    generate(con, "1836", "html", "rodoy.html", charts=False)

``content`` builds the document as plain data from the query layer; ``images`` renders its Plotly
figures to PNG (one browser per process); ``docx`` and ``html`` write the files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

FORMATS = ("docx", "html")


def render_bytes(con, code: str, fmt: str, *, charts: bool = True, as_of: date | None = None, store=None) -> bytes:
    """The document for municipality ``code`` as the bytes of a .docx or .html file."""
    from nokkeltall.report import content, images  # noqa: PLC0415

    if fmt not in FORMATS:
        raise ValueError(f"ukjent format {fmt!r}: bruk docx eller html")
    report = content.build_report(con, code, as_of=as_of, store=store, with_charts=charts)
    if charts:
        images.render_images(report)
    if fmt == "docx":
        from nokkeltall.report import docx as docx_writer  # noqa: PLC0415

        return docx_writer.render(report)
    from nokkeltall.report import html as html_writer  # noqa: PLC0415

    return html_writer.render(report).encode("utf-8")


def generate(con, code: str, fmt: str, path: str | Path, **options) -> Path:
    """Write the document to ``path`` (written to a temporary file first, then renamed)."""
    path = Path(path)
    data = render_bytes(con, code, fmt, **options)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return path
