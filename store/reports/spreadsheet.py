"""A workbook written as it is laid out: the few parts of an Office Open XML spreadsheet (ECMA-376) that a
report uses, streamed into a zip file sheet by sheet.

Why not a library: XlsxWriter (which wrote the reports before) spends about 10 µs of Python per cell, and a
national report has 1.5 million cells, so it alone took over 30 s; here a row is one formatted string. What
this writes is what XlsxWriter wrote for the same calls (the same styles, widths, heights and numbers), so the
files read back the same in Excel, LibreOffice and openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from store.reports.columns import RAG_FILL, RAG_INK

# The cell styles (their index in styles.xml): a fixed set, so the style sheet below is a constant.
TITLE, HEADING, TEXT, NUMBER = 1, 2, 3, 4
RAG_STYLE = {word: 5 + i for i, word in enumerate(RAG_FILL)}  # bold ink on the RAG fill
DATE, MOMENT = 9, 10

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FONT = '{}<name val="Calibri"/><family val="2"/></font>'
_FILL = '<fill><patternFill patternType="solid"><fgColor rgb="FF{}"/><bgColor indexed="64"/></patternFill></fill>'
_TOP = '<alignment vertical="top"/></xf>'
_WRAP = '<alignment vertical="top" wrapText="1"/></xf>'


def _styles() -> str:
    fonts = ['<font><sz val="11"/>' + _FONT.format(""), '<font><b/><sz val="14"/>' + _FONT.format(""),
             '<font><b/><sz val="11"/>' + _FONT.format(""),
             *('<font><b/><sz val="11"/>' + _FONT.format(f'<color rgb="FF{ink[1:]}"/>') for ink in RAG_INK.values())]
    fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>',
             _FILL.format("EEEEEE"), *(_FILL.format(fill[1:]) for fill in RAG_FILL.values())]
    thin = "".join(f'<{side} style="thin"><color auto="1"/></{side}>' for side in ("left", "right", "top", "bottom"))
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
           '<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" '
           'applyAlignment="1">' + _WRAP,
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">' + _WRAP,
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">' + _TOP,
           *(f'<xf numFmtId="0" fontId="{3 + i}" fillId="{3 + i}" borderId="0" xfId="0" applyFont="1" applyFill="1" '
             'applyAlignment="1">' + _TOP for i in range(len(RAG_FILL))),
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
           + _TOP,
           '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
           + _TOP]
    return (f'{_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
            '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
            f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts><fills count="{len(fills)}">{"".join(fills)}</fills>'
            f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border>{thin}<diagonal/>'
            '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs><cellStyles count="1">'
            '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" '
            'defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>')


def column_letter(index: int) -> str:
    """'A' for column 0, 'Z' for 25, 'AA' for 26 ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# What a text needs before it goes in a cell: XML's specials, the control characters Excel writes as _xHHHH_
# (and a literal _xHHHH_, which would read as one), the two non-characters.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LITERAL = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_MOST_UTF16 = 32767  # Excel's longest text in a cell, in UTF-16 code units
_EPOCH = datetime(1899, 12, 31)


def text_cell(ref: str, text: str, style: int) -> str:
    """A text cell (an inline string, never a formula)."""
    if len(text) > _MOST_UTF16 // 2:
        text = _utf16_cut(text)
    if _SPECIAL.search(text):
        text = _LITERAL.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
        text = escape(text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_"))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _utf16_cut(text: str) -> str:
    units = text.encode("utf-16-le")
    return units[: 2 * _MOST_UTF16].decode("utf-16-le", "ignore") if len(units) > 2 * _MOST_UTF16 else text


def number_cell(ref: str, value: float, style: int) -> str:
    """A number cell."""
    return f'<c r="{ref}" s="{style}"><v>{value:.16G}</v></c>'


def serial(moment: date) -> float:
    """A date or a time (shown as it is, without its zone) as Excel's serial number of days."""
    if isinstance(moment, datetime):
        delta = moment.replace(tzinfo=None) - _EPOCH
    else:
        delta = datetime.fromordinal(moment.toordinal()) - _EPOCH
    days = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return days + 1 if days > 59 else days  # Excel counts 29 February 1900, which never was


def _width(characters: int) -> str:
    """A column width as Excel stores it: `characters` digits of Calibri 11 (7 pixels) and 5 pixels of padding."""
    pixels = int(characters * 7 + 0.5) + 5
    return f"{pixels * 256 // 7 / 256:.16g}"


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """How a sheet is laid out: column widths in characters (runs of equal widths are merged), a frozen header
    row with a filter over `filter_columns` columns, and whether the header repeats on each printed page."""

    widths: Sequence[int]
    header: bool = True
    filter_columns: int = 0


class Workbook:
    """A workbook written into `out`, a sheet at a time; sheets are named up front, in their order in the book,
    and may then be written in any order. The workbook is complete once `close()` has run."""

    def __init__(self, out: BinaryIO, names: Sequence[str], *, title: str, author: str, comments: str) -> None:
        self._zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._names = list(names)
        self._rows: dict[int, int] = {}  # sheet → rows written (for the filter and print titles)
        self._layouts: dict[int, SheetLayout] = {}
        self._properties = (title, author, comments)

    def write_sheet(self, sheet: int, layout: SheetLayout, rows: Sequence[str], *, last_column: int) -> None:
        """Write sheet number `sheet` (0-based): `rows` are its `<row>` elements (see `row`) in order, and
        `last_column` the last column (0-based) any of them fills."""
        count = len(rows)
        selected = ' tabSelected="1"' if sheet == 0 else ""
        view = ('<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                'state="frozen"/><selection pane="bottomLeft"/></sheetView>' if layout.header else
                f'<sheetView{selected} workbookViewId="0"/>')
        cols, start = [], 0
        for i, width in enumerate(layout.widths):
            if i + 1 == len(layout.widths) or layout.widths[i + 1] != width:
                cols.append(f'<col min="{start + 1}" max="{i + 1}" width="{_width(width)}" customWidth="1"/>')
                start = i + 1
        end = ["</sheetData>"]
        if layout.filter_columns:
            end.append(f'<autoFilter ref="A1:{column_letter(layout.filter_columns - 1)}{max(count, 2)}"/>')
        end.append('<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
                   '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/></worksheet>')
        with self._zip.open(f"xl/worksheets/sheet{sheet + 1}.xml", "w", force_zip64=True) as raw:
            raw.write("".join([
                f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
                f'<dimension ref="A1:{column_letter(last_column)}{max(count, 1)}"/><sheetViews>{view}</sheetViews>',
                f'<sheetFormatPr defaultRowHeight="15"/><cols>{"".join(cols)}</cols><sheetData>',
            ]).encode("utf-8"))
            for first in range(0, count, 1024):
                raw.write("".join(rows[first:first + 1024]).encode("utf-8"))
            raw.write("".join(end).encode("utf-8"))
        self._rows[sheet] = count
        self._layouts[sheet] = layout

    def close(self) -> None:
        """Write the workbook's own parts and finish the file."""
        sheets = len(self._names)
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for n in range(1, sheets + 1))
        office = "application/vnd.openxmlformats-officedocument"
        self._zip.writestr("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{office}.extended-properties+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{office}.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"))
        self._zip.writestr("_rels/.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"))
        title, author, comments = (escape(text) for text in self._properties)
        self._zip.writestr("docProps/core.xml", (
            f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><dc:description>{comments}"
            f"</dc:description><cp:lastModifiedBy>{author}</cp:lastModifiedBy></cp:coreProperties>"))
        self._zip.writestr("docProps/app.xml", (
            f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>actiontrack</Application></Properties>"))
        self._zip.writestr("xl/styles.xml", _styles())
        self._zip.writestr("xl/workbook.xml", self._workbook())
        rels = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                       for n in range(1, sheets + 1))
        self._zip.writestr("xl/_rels/workbook.xml.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}<Relationship Id="rId{sheets + 1}" '
            f'Type="{_REL}/styles" Target="styles.xml"/></Relationships>'))
        self._zip.close()

    def _workbook(self) -> str:
        sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{n + 1}" r:id="rId{n + 1}"/>'
                         for n, name in enumerate(self._names))
        filters, titles = [], []
        for sheet, layout in sorted(self._layouts.items()):
            quoted = escape(_quoted(self._names[sheet]))
            if layout.filter_columns:
                last = f"${column_letter(layout.filter_columns - 1)}${max(self._rows[sheet], 2)}"
                filters.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{sheet}" hidden="1">'
                               f"{quoted}!$A$1:{last}</definedName>")
            if layout.header:
                titles.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{sheet}">{quoted}!$1:$1'
                              "</definedName>")
        names = f"<definedNames>{''.join(filters + titles)}</definedNames>" if filters or titles else ""
        return (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/><bookViews><workbookView/>'
                f"</bookViews><sheets>{sheets}</sheets>{names}<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/>"
                "</workbook>")


def _quoted(name: str) -> str:
    """A sheet name as a formula writes it: quoted unless it is a plain word."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) else "'" + name.replace("'", "''") + "'"


def row(number: int, cells: Iterable[str], height: float | None = None) -> str:
    """A `<row>` element of already written cells; `height` in points, when set."""
    tall = f' ht="{height:.16g}" customHeight="1"' if height is not None else ""
    return f'<row r="{number}"{tall}>{"".join(cells)}</row>'
