"""The text extracted from a plan's PDF: table rows tab-separated, `<p>`/`<li>` inside cells."""

from __future__ import annotations

import re

from store.drafting.cells import clean, entries, response_paragraphs
from store.drafting.model import Document, Row
from store.drafting.table import COLUMNS, heading_of, is_header

_RULE = re.compile(r"^[\s\-|:]*$")  # a markdown table rule such as "--\t---\t--"


def read_extract(text: str) -> Document:
    """Split the extract into the cover, the action table's rows and what follows the table."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if is_header(line.split("\t"))), None)
    if start is None:
        return Document(cover=lines, rows=[], tail=[], table_found=False)
    rows: list[Row] = []
    end = start
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if "\t" not in line:
            continue
        cells = line.split("\t")
        if is_header(cells) or _RULE.match(line):
            continue
        if len(cells) < COLUMNS - 1:  # the summary table after the action table
            break
        if len(cells) == COLUMNS - 1 and not cells[0].strip():
            cells = ["", *cells]  # the extractor dropped an empty leading cell
        cells = (cells + [""] * COLUMNS)[:COLUMNS]
        rows.append(_row(cells, f"line {index + 1}"))
        end = index + 1
    return Document(cover=lines[:start], rows=rows, tail=lines[end:])


def _row(cells: list[str], place: str) -> Row:
    heading = heading_of(cells)
    if heading:
        return Row("", [], "", [], [], [], place, heading=heading)
    number, recommendation, agreement, response, owners, targets = cells
    return Row(
        number=clean(number),
        recommendation=response_paragraphs(recommendation),
        agreement=clean(agreement),
        response=response_paragraphs(response),
        owners=entries(owners),
        targets=entries(targets),
        place=place,
    )
