"""A published plan as a Word document (.docx): cover paragraphs, then the six-column action table."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from store.drafting.model import Document, DraftError, Paragraph, Row
from store.drafting.table import COLUMNS, header_mismatch, heading_of, is_header


def read_docx(path: Path, data: bytes) -> Document:
    """The document's cover lines, the action table's rows (one per printed row) and what follows."""
    try:
        import docx
    except ImportError:  # pragma: no cover - a dependency of the package
        raise DraftError("reading .docx needs python-docx (pip install python-docx)") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise DraftError(f"{path}: is a zip file but not a Word document")
            damaged = archive.testzip()
        if damaged:
            raise DraftError(f"{path}: the Word document is damaged ({damaged} cannot be read)")
        document = docx.Document(io.BytesIO(data))
    except DraftError:
        raise
    except Exception as exc:
        raise DraftError(f"{path}: the Word document is damaged and cannot be read ({type(exc).__name__})") from None

    cover: list[str] = []
    tail: list[str] = []
    rows: list[Row] = []
    found = False
    others: list[str] = []
    for block in _blocks(document):
        if isinstance(block, str):
            (tail if found else cover).append(block)
            continue
        table_rows = block
        if not found and table_rows and is_header([c[0] for c in table_rows[0]] + [""] * COLUMNS):
            found = True
            for number, cells in enumerate(table_rows[1:], start=2):
                texts = [cell[0] for cell in cells]
                if is_header(texts + [""] * COLUMNS):
                    continue
                rows.append(_row(cells, f"table row {number}"))
            continue
        if not found and table_rows and any("rec" in c[0].lower() for c in table_rows[0][:1]):
            others.append(header_mismatch([c[0] for c in table_rows[0]]))
        (tail if found else cover).extend("\t".join(cell[0] for cell in cells) for cells in table_rows)
    if not found and others:
        raise DraftError(f"{path}: the table is not the action-plan template: {others[0]}")
    return Document(cover=cover, rows=rows, tail=tail, table_found=found)


Cell = tuple[str, list[Paragraph], list[str]]  # the text, its paragraphs, its lines (a line break splits)
EMPTY: Cell = ("", [], [])


def _blocks(document: Any) -> list[str | list[list[Cell]]]:
    """Paragraph texts and tables in document order; a table as rows of cells."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    blocks: list[str | list[list[Cell]]] = []
    # style ids -> names once: python-docx's paragraph.style scans every style on each call (~4 ms)
    list_styles = {style.style_id for style in document.styles if "list" in (style.name or "").lower()}
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            if item.text.strip():
                blocks.append(item.text.strip())
        elif isinstance(item, Table):
            rows = []
            for row in item.rows:
                cells: list[Cell] = []
                previous = None
                for cell in row.cells:
                    if previous is not None and cell._tc is previous:  # a merged cell repeats itself
                        cells.append(EMPTY)
                        continue
                    previous = cell._tc
                    paragraphs = _paragraphs(cell, list_styles)
                    lines = [" ".join(line.split()) for p in cell.paragraphs for line in p.text.split("\n")]
                    cells.append((" ".join(p.render() for p in paragraphs), paragraphs, [ln for ln in lines if ln]))
                rows.append(cells)
            blocks.append(rows)
    return blocks


def _is_item(paragraph: Any, list_styles: set[str]) -> bool:
    """A list item: a list style, Word numbering, or a typed bullet."""
    properties = paragraph._p.pPr
    numbered = properties is not None and properties.numPr is not None
    return paragraph._p.style in list_styles or numbered or paragraph.text.lstrip().startswith("•")


def _paragraphs(cell: Any, list_styles: set[str]) -> list[Paragraph]:
    """A cell's paragraphs; list items go with the paragraph above them."""
    from store.drafting.cells import strip_bullet

    result: list[Paragraph] = []
    for paragraph in cell.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        if _is_item(paragraph, list_styles):
            if not result:
                result.append(Paragraph("", opens=False))
            result[-1].bullets.append(strip_bullet(text))
        else:
            result.append(Paragraph(text))
    if result and result[0].text[:1].islower():
        result[0].opens = False
    return result


def _row(cells: list[Cell], place: str) -> Row:
    cells = (cells + [EMPTY] * COLUMNS)[:COLUMNS]
    texts = [cell[0] for cell in cells]
    heading = heading_of(texts)
    if heading:
        return Row("", [], "", [], [], [], place, heading=heading)
    return Row(
        number=texts[0].strip(),
        recommendation=cells[1][1],
        agreement=texts[2].strip(),
        response=cells[3][1],
        owners=cells[4][2],  # one entry per paragraph or line: "Head of PDU<br>HoP&Q" is two
        targets=cells[5][2],
        place=place,
    )
