"""What a report file says, put in a form two files can be compared by: for a workbook, every cell's value,
type, number format, fill, font and alignment, every sheet's layout (widths, heights, frozen panes, filter,
print settings, merged cells, conditional formats) and the document's properties, read back with openpyxl; the
text formats as they are. And what Excel shows a cell filled with, conditional formats included."""

from __future__ import annotations

import hashlib
import io

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles.colors import Color
from openpyxl.worksheet.worksheet import Worksheet


def workbook_content(data: bytes) -> str:
    """The workbook as lines of text: its properties, then sheet by sheet its layout and its cells."""
    book = load_workbook(io.BytesIO(data))
    props = book.properties
    lines = [f"properties title={props.title!r} creator={props.creator!r} description={props.description!r}"]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        margins = sheet.page_margins
        lines.append(
            f"sheet {sheet.title!r} frozen={sheet.freeze_panes} filter={sheet.auto_filter.ref} "
            f"titles={sheet.print_title_rows} orientation={setup.orientation} paper={setup.paperSize} "
            f"fit={sheet.sheet_properties.pageSetUpPr.fitToPage if sheet.sheet_properties.pageSetUpPr else None} "
            f"{setup.fitToWidth}x{setup.fitToHeight} margins={margins.left},{margins.right},{margins.top},"
            f"{margins.bottom}")
        lines += [f"  width {letter} {dim.min}-{dim.max} {dim.width}"
                  for letter, dim in sorted(sheet.column_dimensions.items()) if dim.customWidth]
        lines += [f"  height {row} {dim.height}" for row, dim in sorted(sheet.row_dimensions.items())
                  if dim.height is not None]
        lines += [f"  merged {cells}" for cells in sorted(str(cells) for cells in sheet.merged_cells.ranges)]
        lines += [f"  conditional {cells.sqref} {rule.type} {rule.text!r} {rule.formula} fill={_fill(rule.dxf)}"
                  for cells, rules in sheet.conditional_formatting._cf_rules.items() for rule in rules]
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                font, fill, align = cell.font, cell.fill, cell.alignment
                lines.append(
                    f"  {cell.coordinate} {cell.data_type} {cell.value!r} fmt={cell.number_format!r} "
                    f"fill={fill.fill_type}:{fill.fgColor.rgb if fill.fill_type else ''} "
                    f"font={font.b}:{font.sz}:{_colour(font.color)} "
                    f"wrap={align.wrap_text} valign={align.vertical} border={cell.border.left.style}")
    return "\n".join(lines) + "\n"


def _colour(colour: Color | None) -> str:
    """A font's colour; the theme's text colour (dark 1) and none at all are both the automatic black."""
    if colour is None or (colour.type == "theme" and colour.theme == 1):
        return "automatic"
    return f"{colour.type} {colour.value}"


def content(data: bytes, fmt: str) -> str:
    """A report file's content as text: the workbook described, the other formats decoded."""
    return workbook_content(data) if fmt == "xlsx" else data.decode("utf-8")


def digest(data: bytes, fmt: str) -> str:
    """A SHA-256 of a report file's content."""
    return hashlib.sha256(content(data, fmt).encode("utf-8")).hexdigest()


def _fill(dxf: object) -> str:
    fill = getattr(dxf, "fill", None)
    font = getattr(dxf, "font", None)
    ink = _colour(font.color) if font is not None else ""
    return f"{fill.bgColor.rgb if fill is not None else ''} font={ink}:{font.b if font is not None else ''}"


def shown_fill(sheet: Worksheet, cell: Cell) -> tuple[str, str, bool] | None:
    """The fill colour, font colour and boldness Excel shows `cell` in: its own fill, else that of the first
    conditional format over it whose rule (begins with / equals some text) holds for its value."""
    if cell.fill.fill_type == "solid":
        return cell.fill.fgColor.rgb, _colour(cell.font.color), bool(cell.font.b)
    rules = sorted(((rule.priority, rule) for cells, rules in sheet.conditional_formatting._cf_rules.items()
                    if cell.coordinate in cells.sqref for rule in rules), key=lambda found: found[0])
    for _, rule in rules:
        text = str(cell.value or "")
        holds = {"beginsWith": text.startswith(rule.text or ""), "containsText": (rule.text or "") in text,
                 "endsWith": text.endswith(rule.text or "")}.get(rule.type)
        if holds is None:
            raise AssertionError(f"a rule of a kind this helper does not read: {rule.type}")
        if holds:
            return rule.dxf.fill.bgColor.rgb, _colour(rule.dxf.font.color), bool(rule.dxf.font.b)
    return None
