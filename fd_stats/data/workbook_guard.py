"""Refuse spreadsheet bombs before an .xlsx workbook is parsed.

An .xlsx file is a zip of XML parts. A few kilobytes can declare a sheet of a billion cells
(one cell at XFD1048576 makes a reader build every empty cell before it), or expand to
millions of rows; parsing such a file took gigabytes of memory and minutes of the server's
time, stalling every other session. :func:`check_workbook` looks at the archive's declared
sizes and streams the chosen sheet's XML, counting its cells and their extent, and raises
:class:`~fd_stats.errors.DataError` at the first limit passed. Memory stays bounded by the
stream's chunk size; time by :data:`MAX_CELLS`. CSV and Parquet have none of these limits,
so the messages suggest them.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import xml.etree.ElementTree as ET

import numpy as np

from ..errors import DataError

#: cells a worksheet may span (rows x columns of its used range): reading takes about
#: 20 microseconds a cell, so this caps a read at a few seconds
MAX_CELLS = 250_000
#: columns a worksheet may span (the readers' own limit is 2,000 columns)
MAX_COLUMNS = 2_000
#: total uncompressed size of the archive, and of the shared strings (read whole)
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_SHARED_STRINGS = 50 * 1024 * 1024
#: small parts read whole here (workbook.xml and its relationships)
MAX_SMALL_PART = 5 * 1024 * 1024
MAX_MEMBERS = 10_000
CHUNK = 1 << 20

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s/>]")
# a row or cell tag with a prefix other than the root's (refused: see _scan_sheet)
_DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*\bref\s*=\s*["']([^"']*)["']""")
_ANY_PREFIXED = re.compile(rb"<([A-Za-z_][\w.-]*):(?:row|c)[\s/>]")
# bytes that may follow a tag's name: space, tab, CR, LF, ">" and "/"
_AFTER_NAME = np.zeros(256, dtype=bool)
_AFTER_NAME[list(b" >/\n\t\r")] = True
# ``r`` references as Excel writes them (cells: letters and digits; rows: digits)
_CELL_COLUMN = re.compile(rb"""\sr=["']([A-Za-z]{1,3})\d""")
_ROW_NUMBER = re.compile(rb"""\sr=["'][A-Za-z]{0,3}(\d+)""")
# any other spelling of an ``r`` attribute (spaces around "="), which the patterns above miss
_ODD_R = re.compile(rb"\sr\s+=|\sr=\s")


def _starts(a: np.ndarray, lt: np.ndarray, tag: bytes) -> np.ndarray:
    """Offsets of the start tags ``tag`` (e.g. ``b"<c"``) in ``a`` (the bytes as uint8),
    among ``lt``, the offsets of ``<``: the name must end there. Vectorised: a megabyte
    of XML takes milliseconds, however many cells it holds."""
    at = lt[lt + len(tag) < len(a)]
    for i, ch in enumerate(tag[1:], start=1):
        at = at[a[at + i] == ch]
    return at[_AFTER_NAME[a[at + len(tag)]]]


def column_number(letters: str | bytes) -> int:
    """1-based column number of Excel column letters (``"A"`` -> 1, ``"XFD"`` -> 16384)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _span(ref: str) -> tuple[int, int] | None:
    """(rows, columns) up to the bottom-right corner of a reference like ``A1:ALL100000``."""
    m = _REF.match(ref.strip().split(":")[-1])
    return (int(m.group(2)), column_number(m.group(1))) if m else None


def _refuse(name: str, what: str) -> DataError:
    return DataError(f"{name}: {what} The dashboard reads workbooks of up to {MAX_CELLS:,} cells "
                     f"and {MAX_COLUMNS:,} columns; delete empty or unused rows and columns "
                     "(a stray entry far down or to the right counts), or save the data as CSV "
                     "or Parquet, which have no such limit.")


def _too_big(name: str, rows: int, cols: int, sheet_label: str) -> DataError | None:
    if cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        return _refuse(name, f"{sheet_label} spans {rows:,} rows × {cols:,} columns "
                             f"({rows * cols:,} cells).")
    return None


def _small_xml(zf: zipfile.ZipFile, path: str, name: str):
    try:
        info = zf.getinfo(path)
    except KeyError:
        return None
    if info.file_size > MAX_SMALL_PART:
        raise _refuse(name, f"its part {path} is {info.file_size:,} bytes, far more than a "
                            "workbook needs.")
    try:
        return ET.fromstring(zf.read(info))
    except Exception:
        raise DataError(f"{name} could not be opened as an Excel workbook; it may be damaged. "
                        "Save it again from Excel as .xlsx, or as CSV.") from None


def _sheet_parts(zf: zipfile.ZipFile, name: str) -> list[tuple[str, str]]:
    """(sheet name, part path) of each worksheet, in the workbook's order."""
    wb = _small_xml(zf, "xl/workbook.xml", name)
    rels = _small_xml(zf, "xl/_rels/workbook.xml.rels", name)
    if wb is None or rels is None:
        return []
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out = []
    for s in wb.iter(f"{_MAIN}sheet"):
        target = targets.get(s.get(f"{_REL}id"), "")
        path = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join("xl", target))
        out.append((s.get("name", ""), path))
    return out


def _scan_sheet(zf: zipfile.ZipFile, path: str, name: str, label: str,
                chosen: bool = True) -> None:
    """Stream a worksheet's XML: its declared dimension, then its rows and cells, stopping at
    the first limit passed.

    A sheet that will not be read (``chosen=False``) is still opened by openpyxl, which
    parses it to its end only when it declares no dimension: only then is it scanned.

    Tags are counted with numpy and references found with regular expressions over each
    megabyte (C speed), not tag by tag; rows or cells under another XML prefix, or with
    references spelt unusually, are refused rather than missed.
    The used range is bounded from above: the largest ``r`` reference, plus the rows and
    cells without one (a reader places those right after the previous row or cell).
    """
    try:
        stream = zf.open(path)
    except KeyError:
        return  # the reader reports a missing sheet itself
    cells = rows = max_row = max_col = 0
    loose_rows = loose_cells = widest = carry = 0
    tail, prefix = b"", None
    with stream:
        while True:
            chunk = stream.read(CHUNK)
            buf = tail + chunk
            if not buf:
                break
            if prefix is None:  # the root tag and the declared size come before the data
                root = _ROOT.search(buf)
                if root is None:
                    if len(buf) > CHUNK:
                        raise _refuse(name, f"{label} is not a worksheet.")
                    tail = buf
                    if chunk:
                        continue
                    break
                prefix = root.group(1) + b":" if root.group(1) else b""
                row_tag, cell_tag = b"<" + prefix + b"row", b"<" + prefix + b"c"
                m = _DIMENSION.search(buf)
                span = _span(m.group(1).decode("ascii", "replace")) if m else None
                if span and chosen and (err := _too_big(name, *span, f"{label} declares that it")):
                    raise err
                if m and not chosen:
                    return
            last = buf.rfind(b"<")  # keep an unfinished tag for the next chunk
            if chunk and last != -1 and buf.find(b">", last) == -1:
                body, tail = buf[:last], buf[last:]
                if len(tail) > CHUNK:  # no worksheet has a start tag a megabyte long
                    raise _refuse(name, f"{label} holds an XML tag over {CHUNK:,} bytes long.")
            else:
                body, tail = buf, b""
            # rows or cells under another prefix would escape the counts below
            other = set()
            if b":row" in body or b":c" in body:  # a quick test first: the regex is slower
                other = {m.group(1) + b":" for m in _ANY_PREFIXED.finditer(body)} - {prefix}
            if other:
                raise DataError(f"{name}: {label} is written in an unusual way (rows or cells "
                                "under several XML prefixes) and is not read. Save it again "
                                "from Excel, or as CSV.")
            arr = np.frombuffer(body, dtype=np.uint8)
            lt = np.flatnonzero(arr == ord("<"))
            cell_at, row_at = _starts(arr, lt, cell_tag), _starts(arr, lt, row_tag)
            n_cells, n_rows = len(cell_at), len(row_at)
            cells += n_cells
            if cells > MAX_CELLS:
                raise _refuse(name, f"{label} has more than {MAX_CELLS:,} cells.")
            columns, numbers = _CELL_COLUMN.findall(body), _ROW_NUMBER.findall(body)
            rows += n_rows
            loose_rows += n_rows - (len(numbers) - len(columns))
            loose_cells += n_cells - len(columns)
            if (loose_rows or loose_cells) and _ODD_R.search(body):
                raise DataError(f"{name}: {label} is written in an unusual way (cell "
                                "references spaced out) and is not read. Save it again "
                                "from Excel, or as CSV.")
            if columns:
                max_col = max(max_col, max(map(column_number, set(columns))))
            if numbers:  # rows' and cells' row numbers
                max_row = max(max_row, max(map(int, set(numbers))))
            # cells per row (segment 0 continues the previous chunk's last row)
            per_row = np.bincount(np.searchsorted(row_at, cell_at), minlength=n_rows + 1)
            per_row[0] += carry
            carry = int(per_row[-1])
            widest = max(widest, int(per_row.max()))
            extent_rows = max(max_row + loose_rows, rows)
            # a cell without a reference comes right after the previous one
            extent_cols = max_col + widest if loose_cells else max_col
            if err := _too_big(name, extent_rows, extent_cols, f"{label} (its used range)"):
                raise err
            if not chunk:
                break


def check_workbook(raw: bytes, name: str = "the file", sheet: int | str | None = 0) -> None:
    """Raise :class:`DataError` if an .xlsx workbook is too large to read safely.

    Parameters
    ----------
    raw : bytes
        The workbook file (a zip archive).
    name : str
        File name, used in messages.
    sheet : int, str or None
        The worksheet that will be read (position or name, as for ``pandas.read_excel``);
        None when none is read yet (the sheets are being listed). Every sheet is looked
        at: openpyxl parses a sheet without a declared dimension to its end on opening.

    Raises
    ------
    DataError
        If the archive has over :data:`MAX_MEMBERS` parts or expands to over
        :data:`MAX_UNCOMPRESSED` bytes, its shared strings to over
        :data:`MAX_SHARED_STRINGS`, or the sheet declares or uses a range of over
        :data:`MAX_CELLS` cells or :data:`MAX_COLUMNS` columns. Nothing is parsed
        beyond the first limit passed.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise DataError(f"{name} could not be opened as an Excel workbook; it may be damaged. "
                        "Save it again from Excel as .xlsx, or as CSV.") from None
    with zf:
        if len(infos) > MAX_MEMBERS:
            raise _refuse(name, f"it is made of {len(infos):,} parts.")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise _refuse(name, f"it expands to {total / 2**20:,.0f} MB when unpacked.")
        for i in infos:
            if i.filename.lower() == "xl/sharedstrings.xml" and i.file_size > MAX_SHARED_STRINGS:
                raise _refuse(name, f"its text (shared strings) expands to "
                                    f"{i.file_size / 2**20:,.0f} MB.")
        parts = _sheet_parts(zf, name)
        if isinstance(sheet, int):
            chosen = parts[sheet] if 0 <= sheet < len(parts) else None
        else:
            chosen = next((p for p in parts if p[0] == sheet), None)
        for part in parts:
            _scan_sheet(zf, part[1], name, f"sheet '{part[0]}'", chosen=part == chosen)
