"""Word (.docx) fixtures built with python-docx: a published plan's cover and six-column table.

`docx_from_extract` rebuilds one of the published plans from its PDF text extract, one table row
per printed row, paragraphs as paragraphs and bullets as "List Bullet" paragraphs, so the .docx
route can be measured on the same documents as the text route. `small_plan_docx` writes a short
plan by hand, including a response cell with several paragraphs and a bullet list.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from store.drafting.cells import clean, entries, response_paragraphs

HEADER = ("1. Rec No", "2. Recommendation", "3. Agreed/ Partly Agreed/ Not Agreed",
          "4. Response Action Taken/Planned", "5. Responsible Owner", "6. Target Date")


def _fill(cell: docx.table._Cell, paragraphs: list[tuple[str, bool]]) -> None:
    """Write (text, is_bullet) pairs into a cell: the first into its empty paragraph."""
    first = True
    for text, bullet in paragraphs:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        paragraph.text = text
        if bullet:
            paragraph.style = "List Bullet"
        first = False


def _response(cell_html: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for paragraph in response_paragraphs(cell_html):
        if paragraph.text:
            out.append((paragraph.text, False))
        out += [(bullet, True) for bullet in paragraph.bullets]
    return out


def _landscape(document: docx.document.Document) -> None:
    """A4 landscape with grid lines, as the HMPPS template is printed."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)


def docx_from_extract(extract: Path, target: Path) -> Path:
    """The plan in `extract` (tab-separated rows, <p>/<li> in cells) as a .docx at `target`."""
    document = docx.Document()
    _landscape(document)
    lines = extract.read_text(encoding="utf-8").splitlines()
    table = None
    for line in lines:
        cells = line.split("\t")
        if table is None and len(cells) >= 6 and "rec no" in clean(cells[0]).lower():
            table = document.add_table(rows=0, cols=6)
            table.style = "Table Grid"
            row = table.add_row()
            for cell, text in zip(row.cells, HEADER):
                cell.text = text
            continue
        if table is None:
            if clean(line).strip("*# "):
                document.add_paragraph(clean(line).strip("*# "))
            continue
        if len(cells) < 5:
            if len(cells) >= 2:  # the summary count after the action table
                summary = document.add_table(rows=0, cols=2)
                row = summary.add_row()
                row.cells[0].text, row.cells[1].text = clean(cells[0]), clean(cells[1])
            continue
        if "rec no" in clean(cells[0]).lower() or not clean("".join(cells)).strip("-| "):
            continue
        if len(cells) == 5 and not cells[0].strip():
            cells = [""] + cells
        cells = (cells + [""] * 6)[:6]
        row = table.add_row()
        if clean(cells[0]).endswith(":") and not clean("".join(cells[1:])):
            merged = row.cells[0].merge(row.cells[5])  # an addressee heading spans the row
            merged.text = clean(cells[0])
            continue
        row.cells[0].text = clean(cells[0])
        _fill(row.cells[1], _response(cells[1]))
        row.cells[2].text = clean(cells[2])
        _fill(row.cells[3], _response(cells[3]))
        _fill(row.cells[4], [(entry, False) for entry in entries(cells[4])])
        _fill(row.cells[5], [(entry, False) for entry in entries(cells[5])])
    document.save(str(target))
    return target


def small_plan_docx(target: Path, header: tuple[str, ...] = HEADER) -> Path:
    """A two-recommendation plan; recommendation 1's response has three paragraphs, one with bullets."""
    document = docx.Document()
    _landscape(document)
    for text in ("HM Prison & Probation Service", "Action Plan Submitted: 3rd July 2023",
                 "A Response to the HM Inspectorate of Probation Inspection:", "Exampleshire region",
                 "Northtown PDU and Southtown PDU", "Report(s) Published: 1st June 2023"):
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    heading = table.add_row()
    heading.cells[0].merge(heading.cells[len(header) - 1]).text = "Northtown PDU should:"
    row = table.add_row().cells
    row[0].text, row[1].text, row[2].text = "1", "Improve the quality of risk assessments", "Agreed"
    _fill(row[3], [
        ("The Head of Northtown PDU will run monthly risk workshops for all practitioners.", False),
        ("The Head of Performance and Quality (HoP&Q) will audit twenty cases, looking at:", False),
        ("use of domestic abuse information", True),
        ("contingency plans", True),
        ("Findings will be shared with SPOs [b]each quarter[/b].", False),
    ])
    _fill(row[4], [("Head of Northtown PDU", False), ("HoP&Q", False), ("Head of Northtown PDU & HoP&Q", False)])
    _fill(row[5], [("Monthly from July 2023", False), ("September 2023", False), ("Quarterly from October 2023", False)])
    row = table.add_row().cells
    row[0].text, row[1].text, row[2].text = "2", "Review reception arrangements", "Partly Agreed"
    _fill(row[3], [("This recommendation is partly agreed for resource reasons.", False),
                   ("The Business Manager will review reception staffing.", False)])
    _fill(row[4], [("Business Manager", False)])
    _fill(row[5], [("December 2023", False)])
    summary = document.add_table(rows=0, cols=2)
    for label, count in (("Agreed", "1"), ("Partly Agreed", "1"), ("Not Agreed", "0")):
        cells = summary.add_row().cells
        cells[0].text, cells[1].text = label, count
    document.save(str(target))
    return target
