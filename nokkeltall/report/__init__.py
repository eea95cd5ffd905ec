"""The fact-base document (kunnskapsgrunnlag): content as data, rendered to Word and HTML.

    from nokkeltall.report import generate
    generate(con, "1836", "docx", "rodoy.docx")           # with charts (kaleido + chromium)
    generate(con, "1836", "html", "rodoy.html", charts=False)

``content`` builds the document as plain data from the query layer; ``images`` renders its Plotly
figures to PNG (one browser per process, see ``nokkeltall.charts.images``); ``docx`` and ``html``
write the files. Without a browser the document is still made, with each chart as a table and a
note (``Document.note``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

FORMATS = ("docx", "html")


@dataclass(frozen=True)
class Document:
    data: bytes
    note: str | None = None  # Norwegian: why charts are shown as tables, when they are
    path: Path | None = None


def render_document(
    con, code: str, fmt: str, *, charts: bool = True, as_of: date | None = None, store=None
) -> Document:
    """The document for municipality ``code`` as a .docx or .html file's bytes, with the images note."""
    return render_documents(con, code, (fmt,), charts=charts, as_of=as_of, store=store)[fmt]


def render_documents(
    con, code: str, formats=FORMATS, *, charts: bool = True, as_of: date | None = None, store=None
) -> dict[str, Document]:
    """The document in several formats from one build (the content and the charts' pictures are made once)."""
    from nokkeltall.report import content, images  # noqa: PLC0415

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"ukjent format {unknown[0]!r}: bruk docx eller html")
    drawing = images.Drawing() if charts else None  # the browser draws while the text is written
    report = content.build_report(
        con, code, as_of=as_of, store=store, with_charts=charts, on_chart=drawing.start if drawing else None
    )
    if drawing:
        drawing.finish(report)
    documents = {}
    for fmt in formats:
        if fmt == "docx":
            from nokkeltall.report import docx as docx_writer

            documents[fmt] = Document(docx_writer.render(report), report.images_note)
        else:
            from nokkeltall.report import html as html_writer

            documents[fmt] = Document(html_writer.render(report).encode("utf-8"), report.images_note)
    return documents


def render_bytes(con, code: str, fmt: str, **options) -> bytes:
    """The document for municipality ``code`` as the bytes of a .docx or .html file."""
    return render_document(con, code, fmt, **options).data


def generate(con, code: str, fmt: str, path: str | Path, **options) -> Document:
    """Write the document to ``path`` (written to a temporary file first, then renamed)."""
    path = Path(path)
    document = render_document(con, code, fmt, **options)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(document.data)
    temporary.replace(path)
    return Document(document.data, document.note, path)
