"""The CSV checks and number readings of fd_stats.data.io before issue 16's speed-up
(session 3), kept verbatim for the equivalence tests: the ragged-row check with Python's csv
module on every row, and the number readings and conversions on every value."""
import csv
import io

import numpy as np
import pandas as pd

from fd_stats.data.io import (_COMMA_NUMBER, _DOT_THOUSANDS, _cleaned, _parse,
                              refuse_duplicate_names, rows_text)
from fd_stats.errors import DataError


def _check_ragged(text: str, delim: str, name: str) -> None:
    """Every non-blank row must have as many fields as the header (pandas would pad or drop)."""
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    header = next(reader, [])
    refuse_duplicate_names(header, name)  # pandas would silently rename the second to "name.1"
    bad = [i for i, row in enumerate(reader, start=1) if row and len(row) != len(header)]
    if bad:
        raise DataError(f"{name}: rows {rows_text([b - 1 for b in bad])} do not have the same "
                        f"number of fields as the header ({len(header)}). Check for stray "
                        "delimiters, unquoted text or missing cells.")


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
    u = _cleaned(pd.Series(pd.unique(values.astype(object)), dtype=object)).dropna()
    u = pd.Series(pd.unique(u), dtype=object)
    if u.empty:
        return None
    formats, shown, example = set(), False, None
    dot = pd.to_numeric(u, errors="coerce")
    marked = u.str.contains(",", regex=False) | u.str.contains(".", regex=False)
    if dot.notna().all() and not u.str.contains(",", regex=False).any():
        formats.add(".")
    elif u[u.str.contains(",", regex=False)].map(lambda v: _DOT_THOUSANDS.fullmatch(v) is not None).all():
        dot = u.map(lambda v: _parse(v, "."))
        if dot.notna().all():
            formats.add(".")
    if not formats and not marked.any():
        return None  # no point or comma anywhere: the comma reading fails as the dot one did
    comma_ok = u[marked].map(lambda v: _COMMA_NUMBER.fullmatch(v) is not None).all()
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
        values = _to_numbers(cats, fmt).to_numpy(dtype=float)
        codes = col.cat.codes.to_numpy()
        return pd.Series(np.where(codes >= 0, values[codes], np.nan), index=col.index,
                         name=col.name)
    s = _cleaned(col)
    if fmt == "." and not s.str.contains(",", regex=False).any():
        return pd.to_numeric(s, errors="coerce").astype(float)
    # parse each distinct value once
    u = pd.unique(s.dropna())
    table = {v: _parse(v, fmt) for v in u}
    return s.map(table).astype(float)


# ---- before session 4 (issue 16, the upload to the Overview): pandas' reader for every CSV
# and the delimiter sniffed on the first 50 lines of the whole text split into lines

def _sniff(text: str) -> str:
    """Delimiter of a CSV text (the number format is decided later, column by column)."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv_bytes(raw: bytes, name: str = "the file", columns=None,
                   as_text: bool = False) -> pd.DataFrame:
    from fd_stats.data.io import _check_cells, _decode, _finish

    if not raw or not raw.strip():
        raise DataError(f"{name} is empty.")
    text = _decode(raw, name)
    delim = _sniff(text)
    _check_ragged(text, delim, name)
    header = next(csv.reader(io.StringIO(text), delimiter=delim), [])
    usecols = None
    if columns is not None:
        have = {h.strip(): h for h in header}
        usecols = [have[c] for c in dict.fromkeys(columns) if c in have]
    _check_cells(max(text.count("\n"), 1), len(usecols if usecols is not None else header), name)
    try:
        df = pd.read_csv(io.StringIO(text), sep=delim, dtype=str, usecols=usecols,
                         keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise DataError(f"{name}: rows do not all have the same number of fields ({detail}). "
                        "Check for stray delimiters or unquoted text.") from None
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"{name}: could not read it as a table ({exc}).") from None
    # an unquoted comma cannot be a decimal mark in a comma-separated file
    return _finish(df, name, default_format="." if delim == "," else None, as_text=as_text)
