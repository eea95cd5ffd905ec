"""The fact-base document as an editable Word file (python-docx): headings, text, tables, charts."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt, RGBColor

from nokkeltall.report.content import BulletList, Chart, Heading, Note, NotesArea, Paragraph, Report, Table

IMAGE_WIDTH = Cm(16)
SMALL = Pt(8.5)
GREY = RGBColor(0x55, 0x55, 0x55)


def _small(document, text: str, *, italic: bool = False):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size = SMALL
    run.font.color.rgb = GREY
    run.italic = italic
    return paragraph


def _table(document, table: Table) -> None:
    document.add_paragraph(
        table.title, style="Caption" if "Caption" in [s.name for s in document.styles] else None
    )
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Light Grid Accent 1"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, heading in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = heading
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(9)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    if table.source:
        _small(document, table.source)


def _chart(document, chart: Chart) -> None:
    if chart.image is not None:
        document.add_picture(io.BytesIO(chart.image), width=IMAGE_WIDTH)
        _small(document, chart.title, italic=True)
    elif chart.table is not None:  # no browser to draw it: the same numbers as a table
        _table(document, chart.table)
    else:
        return
    if chart.note:
        _small(document, chart.note)
    _small(document, chart.source)


def _notes_area(document, block: NotesArea) -> None:
    """A one-column table with the label on top and empty ruled rows to write in."""
    grid = document.add_table(rows=1 + block.lines, cols=1)
    grid.style = "Table Grid"
    grid.rows[0].cells[0].text = block.label
    for run in grid.rows[0].cells[0].paragraphs[0].runs:
        run.italic = True
        run.font.size = SMALL
        run.font.color.rgb = GREY
    for row in grid.rows[1:]:
        row.height = Cm(0.8)
    document.add_paragraph()


def _block(document, block) -> None:
    if isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        paragraph.add_run(block.text).bold = block.bold
    elif isinstance(block, Heading):
        document.add_heading(block.text, level=block.level)
    elif isinstance(block, BulletList):
        style = "List Number" if block.numbered else "List Bullet"
        for item in block.items:
            document.add_paragraph(item, style=style)
    elif isinstance(block, NotesArea):
        _notes_area(document, block)
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Chart):
        _chart(document, block)
    elif isinstance(block, Note):
        _small(document, block.text)


def render(report: Report, *, subject: str = "Kunnskapsgrunnlag") -> bytes:
    """The .docx file as bytes."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    for page in document.sections:
        page.left_margin = page.right_margin = Cm(2.2)
    properties = document.core_properties
    properties.title = report.title
    properties.subject = subject
    properties.author = "Nøkkeltall for små kommuner"
    properties.language = "nb-NO"

    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    if report.images_note:
        _small(document, report.images_note, italic=True)
    for section in report.sections:
        document.add_heading(section.title, level=1)
        for block in section.blocks:
            _block(document, block)
    _small(document, report.licence)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
