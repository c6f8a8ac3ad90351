"""A small, fast XLSX writer: text, numbers and booleans, nothing else (never a formula).

General-purpose writers build an object per cell (openpyxl manages about 10,000
cells a second on this machine, XlsxWriter about 50,000); a regional summary of
100,000 tips has millions. This writer streams each sheet's XML straight into the
zip: text becomes an inline string (escaped, so a tip that starts with ``=`` is
text, not a formula), numbers ``<v>`` values, ``NaN``/``None`` empty cells. The
files open in Excel, LibreOffice and openpyxl (the tests read them back).

>>> import io, openpyxl
>>> buf = io.BytesIO()
>>> write_workbook(buf, {"s": (["a", "b"], [["=1+1", 2.5], [None, True]])})
>>> ws = openpyxl.load_workbook(buf)["s"]
>>> [[c.value for c in row] for row in ws.iter_rows()]
[['a', 'b'], ['=1+1', 2.5], [None, True]]
>>> ws["A2"].data_type
's'
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

#: Characters XML 1.0 forbids (replaced by U+FFFD so nothing is silently dropped).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
#: Longest text Excel keeps in one cell.
MAX_CELL_CHARS = 32_767
ROWS_PER_CHUNK = 2_000

Sheet = tuple[Sequence[str], Iterable[Sequence[Any]]]


def column_letter(index: int) -> str:
    """``0 -> 'A'``, ``26 -> 'AA'``.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: str) -> str:
    value = _ILLEGAL.sub("\ufffd", value)[:MAX_CELL_CHARS]
    return escape(value)


def _cell(ref: str, value: Any, style: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = _text(value)
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    return _cell(ref, str(value), style)


def _sheet_xml(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[str]:
    width = max(len(header), 1)
    letters = [column_letter(i) for i in range(max(width, 64))]
    yield (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
    )
    head = "".join(_cell(f"{letters[i]}1", str(h), ' s="1"') for i, h in enumerate(header))
    yield f'<row r="1">{head}</row>'
    chunk: list[str] = []
    for r, row in enumerate(rows, start=2):
        while len(row) > len(letters):
            letters.append(column_letter(len(letters)))
        cells = "".join(_cell(f"{letters[c]}{r}", v) for c, v in enumerate(row))
        chunk.append(f'<row r="{r}">{cells}</row>')
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)
    yield "</sheetData></worksheet>"


_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def write_workbook(target: str | Path | IO[bytes], sheets: Mapping[str, Sheet]) -> None:
    """Write ``{sheet title: (header, rows)}`` as an XLSX workbook to ``target``.

    Titles must already be valid (at most 31 characters, no ``[]:*?/\\``), unique.
    """
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    content_types = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>'
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    sheet_entries = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheet_entries}</sheets></workbook>'
    )
    n = len(names)
    wb_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG}/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        zf.writestr("xl/styles.xml", _STYLES)
        for i, name in enumerate(names, start=1):
            header, rows = sheets[name]
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w") as fh:
                for part in _sheet_xml(header, rows):
                    fh.write(part.encode("utf-8"))
