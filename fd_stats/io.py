"""Reading person-level and summary tables from CSV, Excel and Parquet.

Everything is read from bytes in memory (uploads never touch disk). Every
problem raises :class:`DataError` with a message naming the file, column or
rows at fault.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .workbook_guard import check_workbook

MISSING_TOKENS = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "Null", "None",
                  "none", "-", "."]
MAX_COLUMNS = 2000
ENCODINGS = ("utf-8-sig", "utf-16", "cp1252", "latin-1")


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{name}: the file says it is UTF-16 but cannot be read as UTF-16.") from None
    head = raw[:4096]
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: in mostly-ASCII text every other byte is zero
        for enc, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
            if len(zeros) >= 4 and zeros.count(0) >= 0.9 * len(zeros):
                try:
                    return raw.decode(enc)
                except UnicodeDecodeError:
                    break
        raise DataError(f"{name}: this looks like a binary file, not a text CSV. "
                        "Save it as CSV (UTF-8), Excel (.xlsx) or Parquet.")
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{name}: the text encoding is not recognised; save it as UTF-8.")


def _sniff(text: str):
    """Delimiter and decimal mark of a CSV text."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
        delim = max(counts, key=counts.get) if any(counts.values()) else ","
    decimal = "."
    if delim in ";\t|":
        body = "\n".join(text.splitlines()[1:50])
        # decimal commas: numbers like 12,5 between delimiters
        import re
        if re.search(r"(^|[" + re.escape(delim) + r"])-?\d+,\d+($|[" + re.escape(delim) + r"])",
                     body, flags=re.M):
            decimal = ","
    return delim, decimal


def _check_ragged(text: str, delim: str, name: str) -> None:
    """Every non-blank row must have as many fields as the header (pandas would pad or drop)."""
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    header = next(reader, [])
    names = [h.strip() for h in header]
    dupes = sorted({h for h in names if h and names.count(h) > 1})
    if dupes:  # pandas would silently rename the second one to "name.1"
        raise DataError(f"{name}: column names appear more than once: {', '.join(dupes)}. "
                        "Rename them so each column has its own name.")
    bad = [i for i, row in enumerate(reader, start=1) if row and len(row) != len(header)]
    if bad:
        raise DataError(f"{name}: rows {rows_text([b - 1 for b in bad])} do not have the same "
                        f"number of fields as the header ({len(header)}). Check for stray "
                        "delimiters, unquoted text or missing cells.")


def read_csv_bytes(raw: bytes, name: str = "the file") -> pd.DataFrame:
    """Read CSV bytes: detects , ; tab | delimiters, decimal commas, and common encodings."""
    if not raw or not raw.strip():
        raise DataError(f"{name} is empty.")
    text = _decode(raw, name)
    delim, decimal = _sniff(text)
    _check_ragged(text, delim, name)
    try:
        df = pd.read_csv(io.StringIO(text), sep=delim, decimal=decimal, dtype=str,
                         keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise DataError(f"{name}: rows do not all have the same number of fields ({detail}). "
                        "Check for stray delimiters or unquoted text.") from None
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"{name}: could not read it as a table ({exc}).") from None
    return _finish(df, name, decimal)


def _finish(df: pd.DataFrame, name: str, decimal: str = ".") -> pd.DataFrame:
    if df.shape[1] > MAX_COLUMNS:
        raise DataError(f"{name} has {df.shape[1]:,} columns; the dashboard takes at most "
                        f"{MAX_COLUMNS:,}. Keep only the columns you need.")
    if df.shape[0] == 0:
        raise DataError(f"{name} has a header row but no data rows.")
    df.columns = [str(c).strip() for c in df.columns]
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dupes:
        raise DataError(f"{name}: column names appear more than once: {', '.join(dupes)}.")
    blank = [i + 1 for i, c in enumerate(df.columns) if c == "" or c.startswith("Unnamed:")]
    if blank:
        raise DataError(f"{name}: column(s) {', '.join(map(str, blank))} have no name in the header row.")
    for c in list(df.columns):
        col = df[c]
        new = _convert(col, decimal)
        if new is not col:
            df[c] = new
    return df


def _convert_categorical(col: pd.Series, decimal: str) -> pd.Series:
    """:func:`_convert` applied to the categories of a text categorical, not to every cell."""
    cats = col.cat.categories
    if not (cats.dtype == object or pd.api.types.is_string_dtype(cats)):
        return col
    conv = _convert(pd.Series(cats, dtype=object), decimal)
    codes = col.cat.codes.to_numpy()
    if pd.api.types.is_numeric_dtype(conv):
        values = conv.to_numpy(dtype=float)
        return pd.Series(np.where(codes >= 0, values[codes], np.nan), index=col.index,
                         name=col.name)
    # stripping can merge categories and missing tokens become missing
    new_codes, uniques = pd.factorize(conv)
    mapped = np.where(codes >= 0, new_codes[codes], -1)
    return pd.Series(pd.Categorical.from_codes(mapped, categories=pd.Index(uniques, dtype=object)),
                     index=col.index, name=col.name)


def _convert(col: pd.Series, decimal: str) -> pd.Series:
    """Text column to numbers when every non-missing value is a number; otherwise trimmed text."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return _convert_categorical(col, decimal)
    if col.dtype != object and not pd.api.types.is_string_dtype(col):
        return col
    s = col.astype("string").str.strip()
    s = s.mask(s.isin(MISSING_TOKENS))
    if decimal == ",":
        candidate = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        candidate = s
    nums = pd.to_numeric(candidate, errors="coerce")
    if s.notna().any() and nums.notna().sum() == s.notna().sum():
        return nums.astype(float)
    return s.astype(object).where(s.notna(), None)


def read_excel_bytes(raw: bytes, name="the file", sheet=0) -> pd.DataFrame:
    if not raw:
        raise DataError(f"{name} is empty.")
    if not raw.startswith(b"PK"):
        raise DataError(f"{name} is not a real .xlsx workbook (it may be renamed CSV or an old "
                        ".xls file). Save it from Excel as .xlsx or CSV.")
    check_workbook(raw, name, sheet)  # spreadsheet bombs are refused before parsing
    try:
        df = pd.read_excel(io.BytesIO(raw), sheet_name=sheet, dtype=str, engine="openpyxl",
                           keep_default_na=False)
    except ValueError as exc:
        raise DataError(f"{name}: {exc}") from None
    except Exception:  # openpyxl raises many types for corrupt files
        raise DataError(f"{name} could not be opened as an Excel workbook; it may be damaged. "
                        "Save it again from Excel as .xlsx, or as CSV.") from None
    return _finish(df, name)


def excel_sheets(raw: bytes, name="the file") -> list[str]:
    check_workbook(raw, name, None)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        return list(wb.sheetnames)
    except Exception:
        raise DataError(f"{name} could not be opened as an Excel workbook.") from None


def read_parquet_bytes(raw: bytes, name="the file", columns=None, categorical=False) -> pd.DataFrame:
    """Read Parquet bytes.

    ``columns`` reads only those columns (a large file then costs only what
    is needed). ``categorical=True`` reads text columns as pandas categoricals
    (dictionary-encoded): the same values, cleaned category by category instead
    of cell by cell, which is much faster and smaller on large files.
    """
    import pyarrow.parquet as pq

    if not raw:
        raise DataError(f"{name} is empty.")
    try:
        pf = pq.ParquetFile(io.BytesIO(raw))
        if columns is not None:
            have = set(pf.schema_arrow.names)
            columns = [c for c in dict.fromkeys(columns) if c in have]
        text = None
        if categorical:
            import pyarrow as pa

            text = [f.name for f in pf.schema_arrow if (columns is None or f.name in columns)
                    and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
        table = pq.read_table(io.BytesIO(raw), columns=columns, read_dictionary=text or None)
    except Exception:
        raise DataError(f"{name} could not be read as Parquet; it may be truncated or not a "
                        "Parquet file.") from None
    # one block per column (no consolidation copy); each Arrow column is freed once converted
    df = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            continue
        if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return _finish(df, name)


def parquet_columns(source) -> list[tuple[str, str]]:
    """(name, kind) of each column of a Parquet file without reading its data.

    ``kind`` is ``number``, ``bool``, ``text`` or ``other``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(source if isinstance(source, (str, Path)) else io.BytesIO(source))
    except Exception:
        raise DataError("The file could not be read as Parquet; it may be truncated or not a "
                        "Parquet file.") from None
    out = []
    for f in schema:
        t = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
        kind = ("bool" if pa.types.is_boolean(t) else
                "number" if pa.types.is_integer(t) or pa.types.is_floating(t)
                or pa.types.is_decimal(t) else
                "text" if pa.types.is_string(t) or pa.types.is_large_string(t) else "other")
        out.append((f.name, kind))
    return out


def read_table(source, name: str | None = None, *, sheet=0, columns=None,
               categorical=False) -> pd.DataFrame:
    """Read a table from a path or from bytes, choosing the reader from the file name.

    Parameters
    ----------
    source : str, Path or bytes
    name : str
        File name (used to choose the format and in messages). Required for bytes.
    columns : list of str, optional
        Parquet only: read just these columns (names not in the file are ignored).
    categorical : bool
        Parquet only: text columns become pandas categoricals (fast on large files).
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise DataError(f"File not found: {path}.") from None
        except IsADirectoryError:
            raise DataError(f"{path} is a folder, not a file.") from None
        except OSError as exc:
            raise DataError(f"Could not read {path}: {exc.strerror}.") from None
    else:
        raw = bytes(source)
        name = name or "the file"
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_excel_bytes(raw, name, sheet)
    if suffix in (".parquet", ".pq"):
        return read_parquet_bytes(raw, name, columns=columns, categorical=categorical)
    if suffix == ".xls":
        raise DataError(f"{name} is an old Excel format (.xls). Save it as .xlsx or CSV.")
    return read_csv_bytes(raw, name)


def rows_text(index_positions, limit=5) -> str:
    """Human row numbers (1 = first data row) for messages."""
    rows = [int(i) + 1 for i in list(index_positions)[:limit]]
    more = len(index_positions) - len(rows)
    return ", ".join(map(str, rows)) + (f" and {more} more" if more > 0 else "")
