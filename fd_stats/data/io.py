"""Reading person-level and summary tables from CSV, Excel and Parquet.

Everything is read from bytes in memory (uploads never touch disk). Every
problem raises :class:`DataError` with a message naming the file, column or
rows at fault.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .workbook_guard import check_workbook

MISSING_TOKENS = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "Null", "None",
                  "none", "-", "."]
#: Memory limit: rows x columns read (only the named columns when they are named).
#: A cell costs tens of bytes while read as text, so this keeps a read under a few GB.
MAX_CELLS = 50_000_000
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


def _sniff(text: str) -> str:
    """Delimiter of a CSV text (the number format is decided later, column by column)."""
    sample = "\n".join(_first_lines(text, 50))
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _first_lines(text: str, k: int) -> list[str]:
    """``text.splitlines()[:k]`` without splitting a whole file: a (k+1)th line in the head
    means the kth ended inside it (a line break cut in two would end the head)."""
    lines = text[:100_000].splitlines()
    return (lines if len(lines) > k else text.splitlines())[:k]


def refuse_duplicate_names(names, name: str) -> None:
    """The same message for CSV, Excel and Parquet (their readers would rename or drop)."""
    names = [str(h).strip() for h in names]
    dupes = sorted({h for h in names if h and names.count(h) > 1})
    if dupes:
        raise DataError(f"{name}: column names appear more than once: {', '.join(dupes)}. "
                        "Rename them so each column has its own name.")


def _check_cells(n_rows: int, n_columns: int, name: str) -> None:
    if n_rows * n_columns > MAX_CELLS:
        raise DataError(f"{name}: {n_rows:,} rows x {n_columns:,} columns is "
                        f"{n_rows * n_columns:,} cells; the dashboard reads at most "
                        f"{MAX_CELLS:,} cells at once (memory). Keep only the columns and rows "
                        "you need, or name the outcomes so only those columns are read.")


def _unquoted(text: str) -> bool:
    """No quotes, carriage returns or NULs: each line is a row, split at every delimiter."""
    return not ('"' in text or "\r" in text or "\x00" in text)


def _check_ragged(text: str, delim: str, name: str) -> None:
    """Every non-blank row must have as many fields as the header (pandas would pad or drop)."""
    if not _unquoted(text) or len(delim) != 1:
        reader = csv.reader(io.StringIO(text), delimiter=delim)
        header = next(reader, [])
        refuse_duplicate_names(header, name)  # pandas would silently rename the second
        bad = [i for i, row in enumerate(reader, start=1) if row and len(row) != len(header)]
    else:  # no quoting: a row's fields are its delimiters plus one (what csv.reader finds)
        lines = text.split("\n")
        header = lines[0].split(delim) if lines[0] else []
        refuse_duplicate_names(header, name)
        want = len(header) - 1
        bad = [i for i, line in enumerate(lines[1:], start=1)
               if line and line.count(delim) != want]
    if bad:
        raise DataError(f"{name}: rows {rows_text([b - 1 for b in bad])} do not have the same "
                        f"number of fields as the header ({len(header)}). Check for stray "
                        "delimiters, unquoted text or missing cells.")


def read_csv_bytes(raw: bytes, name: str = "the file", columns=None,
                   as_text: bool = False) -> pd.DataFrame:
    """Read CSV bytes: detects , ; tab | delimiters, the number format of each column
    (see :func:`_finish`) and common encodings. ``columns`` reads only those columns
    (names not in the file are ignored)."""
    if not raw or not raw.strip():
        raise DataError(f"{name} is empty.")
    text = _decode(raw, name)
    delim = _sniff(text)
    df = _read_plain(text, delim) if columns is None else None
    if df is None:  # quoting, carriage returns, rows of the wrong width...: pandas' reader
        df = _read_pandas(text, delim, name, columns)
    # an unquoted comma cannot be a decimal mark in a comma-separated file
    return _finish(df, name, default_format="." if delim == "," else None, as_text=as_text)


def _read_pandas(text: str, delim: str, name: str, columns) -> pd.DataFrame:
    """Every value as text, as written (leading spaces skipped, quotes removed)."""
    _check_ragged(text, delim, name)
    header = next(csv.reader(io.StringIO(text), delimiter=delim), [])
    usecols = None
    if columns is not None:
        have = {h.strip(): h for h in header}
        usecols = [have[c] for c in dict.fromkeys(columns) if c in have]
    _check_cells(max(text.count("\n"), 1), len(usecols if usecols is not None else header), name)
    try:
        return pd.read_csv(io.StringIO(text), sep=delim, dtype=str, usecols=usecols,
                           keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise DataError(f"{name}: rows do not all have the same number of fields ({detail}). "
                        "Check for stray delimiters or unquoted text.") from None
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"{name}: could not read it as a table ({exc}).") from None


def _read_plain(text: str, delim: str) -> pd.DataFrame | None:
    """:func:`_read_pandas`'s table by pyarrow's reader (about 3x faster), for a plain file:
    nothing quoted, lines ended by \\n alone, a header of two or more distinct names, every
    row as wide as the header, within the memory limit. Otherwise None (and pandas reads it,
    giving its messages). Equal there: without quotes the two readers split fields the same
    way and skip the same blank lines, every value stays text ("NA" too), and the leading
    spaces that only pandas skips are trimmed from every value and name by :func:`_finish`
    (tests/test_upload_equivalence.py compares the two on hostile files)."""
    if not _unquoted(text) or text.startswith("\ufeff"):
        return None
    end = text.find("\n")
    header = (text if end < 0 else text[:end]).split(delim)
    names = [h.strip() for h in header]
    if len(header) < 2 or len(set(names)) < len(names) or \
            max(text.count("\n"), 1) * len(header) > MAX_CELLS:
        return None
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        table = pcsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pcsv.ReadOptions(use_threads=False, block_size=1 << 27,
                                          column_names=header, skip_rows=1),
            parse_options=pcsv.ParseOptions(delimiter=delim, quote_char=False),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False))
    except (pa.ArrowException, UnicodeError):  # a row of another width, say
        return None
    return table.to_pandas()


def read_csv_categorical(raw: bytes, name: str = "the file", columns=None) -> pd.DataFrame:
    """Read CSV bytes with every text column as a pandas categorical (pyarrow's CSV reader).

    For long tables with few distinct values per column (an offence-level police extract:
    2,000,000 rows read in well under a second instead of several seconds). The same
    checks and number rules as :func:`read_csv_bytes` (encodings, delimiter, rows with the
    wrong number of fields, repeated or blank names, the memory limit, numbers decided
    per column by :func:`_finish`), applied to the distinct values.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if not raw or not raw.strip():
        raise DataError(f"{name} is empty.")
    text = _decode(raw, name)
    delim = _sniff(text[:200_000])
    header = next(csv.reader(io.StringIO(text[:200_000]), delimiter=delim), [])
    refuse_duplicate_names(header, name)
    keep = header
    if columns is not None:
        have = {h.strip(): h for h in header}
        keep = [have[c] for c in dict.fromkeys(columns) if c in have]
    _check_cells(max(text.count("\n"), 1), len(keep), name)
    bad = []

    def wrong_width(row):
        bad.append(row.number)
        return "skip"

    # pyarrow reads UTF-8: re-encode only what was not plain UTF-8 (BOM, cp1252, UTF-16)
    data = raw if not raw.startswith(b"\xef\xbb\xbf") and _is_utf8(raw) else text.encode("utf-8")
    try:
        table = pcsv.read_csv(
            io.BytesIO(data),
            # one block per 128 MB: one dictionary per column, no merging of many
            read_options=pcsv.ReadOptions(use_threads=False, block_size=1 << 27),
            parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                            invalid_row_handler=wrong_width),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.dictionary(pa.int32(), pa.string()) for h in header},
                include_columns=keep, strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        raise DataError(f"{name}: could not read it as a table ({str(exc).splitlines()[0]}).") \
            from None
    if bad:
        raise DataError(f"{name}: rows {rows_text([b - 2 for b in bad if b])} do not have the "
                        f"same number of fields as the header ({len(header)}). Check for stray "
                        "delimiters, unquoted text or missing cells.")
    df = table.to_pandas()
    return _finish(df, name, default_format="." if delim == "," else None)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _finish(df: pd.DataFrame, name: str, default_format: str | None = ".",
            as_text: bool = False) -> pd.DataFrame:
    """Check the header and turn text columns of numbers into numbers.

    The number format (decimal point, or decimal comma with optional thousands
    dots) is decided per whole column: the format that reads every value. A
    column both formats read differently (``1.500``: one and a half, or fifteen
    hundred) follows the columns of the same file that settle the format; when
    none do it takes ``default_format`` (``None``: refused, naming the column).
    ``as_text`` keeps numbers as printed (trailing zeros kept), written with a
    decimal point and no thousands separators.
    """
    _check_cells(df.shape[0], df.shape[1], name)
    if df.shape[0] == 0:
        raise DataError(f"{name} has a header row but no data rows.")
    df.columns = [str(c).strip() for c in df.columns]
    refuse_duplicate_names(df.columns, name)
    blank = [i + 1 for i, c in enumerate(df.columns) if c == "" or c.startswith("Unnamed:")]
    if blank:
        raise DataError(f"{name}: column(s) {', '.join(map(str, blank))} have no name in the header row.")
    readings = {c: _number_readings(df[c]) for c in df.columns}
    settled = {f for r in readings.values() if r is not None and len(r[0]) == 1 and r[1]
               for f in r[0]}
    for c, r in readings.items():
        if r is None:
            new = _as_text(df[c])
        else:
            formats, _, example = r
            if len(formats) == 1:
                fmt = next(iter(formats))
            elif len(settled) == 1:
                fmt = next(iter(settled))
            elif default_format is not None and not settled:
                fmt = default_format
            else:
                raise DataError(
                    f"{name}: column '{c}' holds numbers such as '{example}' that read "
                    f"differently with a decimal point ({_parse(example, '.'):g}) and with a "
                    f"thousands separator ({_parse(example, ','):g}), and the file does not "
                    "settle which. Save it with decimal points and no thousands separators, "
                    "or as .xlsx.")
            new = _to_number_text(df[c], fmt) if as_text else _to_numbers(df[c], fmt)
        if new is not df[c]:
            df[c] = new
    return df


# a number with a decimal comma and optional thousands dots (1.250,50; 12,5; 1.000.000)
_COMMA_NUMBER = re.compile(r"[+-]?(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+)(?:,\d*)?|[+-]?,\d+")
# a number with a decimal point and thousands commas (1,250.50; 1,000)
_DOT_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")


def _parse(value: str, fmt: str) -> float:
    """One value in a format ('.' or ','); NaN when it is not a number in that format."""
    v = value.strip()
    if fmt == ",":
        if "." in v or "," in v:
            if not _COMMA_NUMBER.fullmatch(v):
                return np.nan
            v = v.replace(".", "").replace(",", ".")
    elif "," in v:
        if not _DOT_THOUSANDS.fullmatch(v):
            return np.nan
        v = v.replace(",", "")
    try:
        return float(v)
    except ValueError:
        return np.nan


def _cleaned(col: pd.Series) -> pd.Series:
    s = col.astype("string").str.strip()
    return s.mask(s.isin(MISSING_TOKENS))


def _unreadable(value: str) -> bool:
    """Neither the decimal-point nor the decimal-comma reading (nor pandas) takes ``value``,
    so a column holding it is not a column of numbers (one value settles it)."""
    return bool(np.isnan(_parse(value, ".")) and np.isnan(_parse(value, ","))
                and pd.isna(pd.to_numeric(pd.Series([value], dtype=object), errors="coerce")[0]))


def _number_readings(col: pd.Series):
    """How a text column reads as numbers: (formats that read every value, whether a
    value shows the format, an example both formats read differently), or None
    when it is not a column of numbers. Decided on the distinct values."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        values = pd.Series(col.cat.categories, dtype=object)
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            return None
    elif col.dtype != object and not pd.api.types.is_string_dtype(col):
        return None
    else:
        values = col
    # a first value neither reading takes (ids, names): not a column of numbers, known
    # without finding a million distinct values
    head = _cleaned(pd.Series(values.iloc[:100], dtype=object)).dropna()
    if len(head) and _unreadable(head.iloc[0]):
        return None
    # the distinct values (unique before any conversion: a million ids are not turned into
    # Python strings to find them)
    u = _cleaned(pd.Series(pd.unique(values), dtype=object)).dropna()
    u = pd.Series(pd.unique(u), dtype=object)
    if u.empty:
        return None
    formats, shown, example = set(), False, None
    dot = pd.to_numeric(u, errors="coerce")
    flags = u.astype("string")  # substring tests vectorised (the same literal tests)
    has_comma = flags.str.contains(",", regex=False).to_numpy(bool)
    marked = pd.Series(has_comma | flags.str.contains(".", regex=False).to_numpy(bool),
                       index=u.index)
    # all(generator): the regular expressions stop at the first value that fails
    if dot.notna().all() and not has_comma.any():
        formats.add(".")
    elif all(_DOT_THOUSANDS.fullmatch(v) is not None for v in u[has_comma]):
        if all(not np.isnan(_parse(v, ".")) for v in u[dot.isna().to_numpy()]):
            dot = u.map(lambda v: _parse(v, "."))
            if dot.notna().all():
                formats.add(".")
    if not formats and not marked.any():
        return None  # no point or comma anywhere: the comma reading fails as the dot one did
    comma_ok = all(_COMMA_NUMBER.fullmatch(v) is not None for v in u[marked])
    if comma_ok:
        comma = u.map(lambda v: _parse(v, ","))
        if comma.notna().all():
            formats.add(",")
    if not formats:
        return None
    if len(formats) == 2:
        differ = ~np.isclose(dot.to_numpy(float), comma.to_numpy(float), rtol=0, atol=0,
                             equal_nan=True)
        if not differ.any():
            return ({"."}, False, None)  # both read the same: no decimals or separators
        example = u[differ].iloc[0]
    else:
        shown = bool(marked.any())
    return formats, shown, example


def _to_numbers(col: pd.Series, fmt: str) -> pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = pd.Series(col.cat.categories, dtype=object)
        values = _distinct_numbers(cats, fmt).to_numpy(dtype=float)
        codes = col.cat.codes.to_numpy()
        return pd.Series(np.where(codes >= 0, values[codes], np.nan), index=col.index,
                         name=col.name)
    # each distinct value converted once (a million people, few values); a missing value's
    # code -1 picks the nan put after them (one gather instead of four passes)
    codes, uniq = pd.factorize(col)
    values = _distinct_numbers(pd.Series(uniq, dtype=object), fmt).to_numpy(dtype=float)
    return pd.Series(np.append(values, np.nan)[codes], index=col.index, name=col.name)


def _distinct_numbers(col: pd.Series, fmt: str) -> pd.Series:
    s = _cleaned(col)
    if fmt == "." and not s.str.contains(",", regex=False).any():
        return pd.to_numeric(s, errors="coerce").astype(float)
    # parse each distinct value once
    u = pd.unique(s.dropna())
    table = {v: _parse(v, fmt) for v in u}
    return s.map(table).astype(float)


def _to_number_text(col: pd.Series, fmt: str) -> pd.Series:
    """Numbers kept as their printed text, in one notation: 1.250,50 -> 1250.50."""
    s = _cleaned(col.astype(object))
    if fmt == ",":
        s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        s = s.str.replace(",", "", regex=False)
    return s.astype(object).where(s.notna(), None)


def _as_text(col: pd.Series) -> pd.Series:
    """Trimmed text; missing tokens become None (categoricals: category by category)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return _convert_categorical(col)
    if col.dtype != object and not pd.api.types.is_string_dtype(col):
        return col
    s = _cleaned(col)
    return s.astype(object).where(s.notna(), None)


def _convert_categorical(col: pd.Series) -> pd.Series:
    """Trimmed text categories (stripping can merge them; missing tokens become missing)."""
    cats = col.cat.categories
    if not (cats.dtype == object or pd.api.types.is_string_dtype(cats)):
        return col
    conv = _as_text(pd.Series(cats, dtype=object))
    codes = col.cat.codes.to_numpy()
    new_codes, uniques = pd.factorize(conv)
    mapped = np.where(codes >= 0, new_codes[codes], -1)
    return pd.Series(pd.Categorical.from_codes(mapped, categories=pd.Index(uniques, dtype=object)),
                     index=col.index, name=col.name)


def read_excel_bytes(raw: bytes, name="the file", sheet=0, as_text: bool = False) -> pd.DataFrame:
    if not raw:
        raise DataError(f"{name} is empty.")
    if not raw.startswith(b"PK"):
        raise DataError(f"{name} is not a real .xlsx workbook (it may be renamed CSV or an old "
                        ".xls file). Save it from Excel as .xlsx or CSV.")
    check_workbook(raw, name, sheet)  # spreadsheet bombs are refused before parsing
    try:
        # header=None: pandas would rename a repeated header to "name.1" before any check
        df = pd.read_excel(io.BytesIO(raw), sheet_name=sheet, dtype=str, engine="openpyxl",
                           keep_default_na=False, header=None)
    except ValueError as exc:
        raise DataError(f"{name}: {exc}") from None
    except Exception:  # openpyxl raises many types for corrupt files
        raise DataError(f"{name} could not be opened as an Excel workbook; it may be damaged. "
                        "Save it again from Excel as .xlsx, or as CSV.") from None
    if df.empty:
        raise DataError(f"{name}: the sheet is empty.")
    header = ["" if pd.isna(h) else str(h).strip() for h in df.iloc[0]]
    refuse_duplicate_names(header, name)
    df = df.iloc[1:].reset_index(drop=True)
    df.columns = header
    # number cells arrive as Python writes them (decimal point)
    return _finish(df, name, as_text=as_text)


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

    Binary columns (bytes: neither text nor numbers) are left out, and
    ``df.attrs["notes"]`` holds one sentence naming them for the caller to show
    (:func:`table_notes` takes it off the table). If every column to be read is
    binary, :class:`DataError` is raised.
    """
    import pyarrow.parquet as pq

    if not raw:
        raise DataError(f"{name} is empty.")
    try:
        pf = pq.ParquetFile(io.BytesIO(raw))
        names = pf.schema_arrow.names
    except Exception:
        raise DataError(f"{name} could not be read as Parquet; it may be truncated or not a "
                        "Parquet file.") from None
    refuse_duplicate_names(names, name)
    import pyarrow as pa

    # bytes are neither text nor numbers (decoding them as text fails): such columns are left
    # out with a note, the rest read; the CLI and the upload both come through here
    binary = [f.name for f in pf.schema_arrow if pa.types.is_binary(f.type)
              or pa.types.is_large_binary(f.type) or pa.types.is_fixed_size_binary(f.type)]
    wanted = names if columns is None else [c for c in dict.fromkeys(columns) if c in set(names)]
    left_out = [c for c in wanted if c in binary]
    if left_out and len(left_out) == len(wanted):
        raise DataError(f"{name}: every column holds binary data ({_listed(left_out, 5)}), "
                        "which cannot be analysed.")
    if left_out or columns is not None:
        columns = [c for c in wanted if c not in binary]
    _check_cells(pf.metadata.num_rows, len(names if columns is None else columns), name)
    try:
        text = None
        if categorical:
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
    df = _finish(df, name)
    if left_out:  # the caller shows it (and pops it: attrs would travel with the table)
        df.attrs["notes"] = [f"{len(left_out)} column(s) of {name} hold binary data (bytes, not "
                             f"text or numbers) and were left out: {_listed(left_out, 10)}."]
    return df


def table_notes(table: pd.DataFrame) -> list[str]:
    """Notes the reader left on ``table`` (columns it left out), taken off the table so they
    travel no further (pandas copies ``attrs`` into derived tables and Parquet files)."""
    return list(table.attrs.pop("notes", []))


def _listed(names, limit: int) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more"
                                       if len(names) > limit else "")


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
               categorical=False, as_text=False) -> pd.DataFrame:
    """Read a table from a path or from bytes, choosing the reader from the file name.

    Parameters
    ----------
    source : str, Path or bytes
    name : str
        File name (used to choose the format and in messages). Required for bytes.
    columns : list of str, optional
        CSV and Parquet: read just these columns (names not in the file are ignored);
        the memory limit (:data:`MAX_CELLS`) then counts only them.
    categorical : bool
        Parquet and CSV: text columns become pandas categoricals (fast on large files
        with few distinct values per column, such as a crimes extract).
    as_text : bool
        CSV and Excel: keep every value as text, numbers as printed (``0.0500``
        keeps its trailing zeros: the audit of a published table needs the
        printed precision); decimal commas and thousands separators are
        rewritten to plain decimal points. Excel number cells carry no printed
        precision (store them as text in Excel to keep it). Parquet is not
        text and is refused.

    Raises
    ------
    DataError
        Any problem, with a message naming the file, column or rows.
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
        return read_excel_bytes(raw, name, sheet, as_text=as_text)
    if suffix in (".parquet", ".pq") and as_text:
        raise DataError(f"{name}: Parquet stores numbers, not their printed digits; give this "
                        "table as CSV or Excel so the printed precision is kept.")
    if suffix in (".parquet", ".pq"):
        return read_parquet_bytes(raw, name, columns=columns, categorical=categorical)
    if suffix == ".xls":
        raise DataError(f"{name} is an old Excel format (.xls). Save it as .xlsx or CSV.")
    if categorical and not as_text:
        return read_csv_categorical(raw, name, columns=columns)
    return read_csv_bytes(raw, name, columns=columns, as_text=as_text)


def rows_text(index_positions, limit=5) -> str:
    """Human row numbers (1 = first data row) for messages."""
    rows = [int(i) + 1 for i in list(index_positions)[:limit]]
    more = len(index_positions) - len(rows)
    return ", ".join(map(str, rows)) + (f" and {more} more" if more > 0 else "")
