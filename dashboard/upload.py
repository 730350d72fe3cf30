"""Upload handling for the Data page, as plain functions (testable without a browser).

Nothing here writes to disk: uploads arrive as bytes and are parsed in memory
with :func:`fd_stats.data.io.read_table`. Every problem is a :class:`DataError`
whose message the page shows as text.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fd_stats.report.safe_text import INVISIBLE_RE, safe_text
from fd_stats.errors import DataError
from fd_stats.data.io import excel_sheets, read_table, table_notes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
GROUPS_FILE = ROOT / "data" / "offence_groups_example.csv"
# Same as .streamlit/config.toml [server] maxUploadSize (megabytes). Streamlit refuses larger
# files itself; the page checks again so the limit is enforced (and testable) in one place.
MAX_UPLOAD_MB = 200
TABLE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet", "pq"]  # .xls gets a message


def max_upload_bytes() -> int:
    return int(MAX_UPLOAD_MB * 1024 * 1024)


def md_escape(text) -> str:
    """Text safe to put inside st.markdown / st.error: ``safe_text(text, "markdown")``."""
    return safe_text(text, "markdown")


def check_size(n_bytes: int, name: str) -> None:
    limit = max_upload_bytes()
    if n_bytes > limit:
        raise DataError(f"{name} is {n_bytes / 1024 / 1024:,.1f} MB; the dashboard takes files "
                        f"up to {MAX_UPLOAD_MB:g} MB. Keep only the columns and rows you need, "
                        "or save it as Parquet (smaller).")


def signature(raw: bytes, name: str, sheet=None) -> str:
    """Identifies an upload so the page parses each file once (held in memory, never stored)."""
    h = hashlib.sha256(raw).hexdigest()[:20]
    return f"{name}|{len(raw)}|{h}|{sheet}"


@dataclass
class Upload:
    """A parsed upload: its table, and the sheets when it is a workbook."""

    name: str
    table: pd.DataFrame
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)


def is_excel(name: str) -> bool:
    return Path(name).suffix.lower() in (".xlsx", ".xlsm")


def handle_upload(raw: bytes, name: str, sheet: str | None = None,
                  categorical: bool = False) -> Upload:
    """Parse uploaded bytes into a table; raises :class:`DataError` with a readable message.

    ``sheet`` chooses the worksheet of an .xlsx file (first sheet if None).
    ``categorical`` reads CSV and Parquet text columns as pandas categoricals (long tables
    with few distinct values per column, such as a crimes extract).
    """
    name = Path(str(name or "the file")).name or "the file"
    if raw is None:
        raise DataError(f"{name}: nothing was received. Try the upload again.")
    raw = bytes(raw)
    check_size(len(raw), name)
    sheets: list[str] = []
    if is_excel(name):
        if not raw:
            raise DataError(f"{name} is empty.")
        if not raw.startswith(b"PK"):
            raise DataError(f"{name} is not a real .xlsx workbook (it may be a CSV file renamed "
                            "to .xlsx, or an old .xls file). Save it from Excel as .xlsx or CSV.")
        sheets = excel_sheets(raw, name)
        if not sheets:
            raise DataError(f"{name} has no worksheets.")
        if sheet is not None and sheet not in sheets:
            sheet = None
        sheet = sheet or sheets[0]
        table = read_table(raw, name=name, sheet=sheet)
    else:
        table = read_table(raw, name=name, categorical=categorical)
    # the reader's notes: Parquet binary columns it left out
    u = Upload(name, table, sheets, sheet, table_notes(table))
    return u if _ascii_text(raw, name) else _without_direction_controls(u)


def _ascii_text(raw: bytes, name: str) -> bool:
    """A text file of ASCII bytes without NULs (so read as UTF-8, not UTF-16): none of its
    names or cells can hold an invisible character (none is ASCII), so a million cells need
    no search."""
    return (Path(name).suffix.lower() not in (".xlsx", ".xlsm", ".parquet", ".pq")
            and raw.isascii() and b"\x00" not in raw)


def _without_direction_controls(u: Upload) -> Upload:
    """Remove bidi override and invisible characters from column names and text values.

    A right-to-left override in a name or value reverses the text shown after it (and can
    make one label look like another); they carry no data, so they go here, once, with a note.
    """
    t = u.table
    names = {c: re.sub(INVISIBLE_RE, "", c) for c in t.columns if isinstance(c, str)}
    changed = {c: n for c, n in names.items() if n != c}
    if changed and len(set(names.values())) == len(names):
        t = t.rename(columns=changed)
    cells = 0
    for c in t.columns:
        col = t[c]
        if isinstance(col.dtype, pd.CategoricalDtype):  # clean the distinct values
            cats = pd.Series(col.cat.categories, dtype=object).astype("string")
            hit = cats.str.contains(INVISIBLE_RE, regex=True, na=False).to_numpy()
            if hit.any():
                codes = col.cat.codes.to_numpy()
                cells += int(np.isin(codes, np.flatnonzero(hit)).sum())
                clean = cats.str.replace(INVISIBLE_RE, "", regex=True).astype(object).to_numpy()
                t[c] = pd.Categorical(np.where(codes >= 0, clean[codes], None))
            continue
        if col.dtype != object and not pd.api.types.is_string_dtype(col):
            continue
        text = col.astype("string")
        hit = text.str.contains(INVISIBLE_RE, regex=True, na=False)
        if hit.any():
            cells += int(hit.sum())
            t[c] = col.where(~hit.to_numpy(), text.str.replace(INVISIBLE_RE, "", regex=True)
                             .astype(object))
    if changed or cells:
        u.table = t
        u.notes.append(f"Invisible direction-control characters were removed from "
                       f"{len(changed)} column name(s) and {cells:,} cell(s): they reverse or "
                       "hide text on screen and carry no data.")
    return u


def read_example(file: str) -> pd.DataFrame:
    return read_table(EXAMPLES / file)


def example_files() -> dict[str, bytes]:
    """Bytes of the fictional example files (for download buttons and the demo import)."""
    files = ["crimes_example.csv", "randomisation_example.csv", "harm_lookup_example.csv",
             "person_level_template.csv", "data_dictionary.md"]
    out = {f: (EXAMPLES / f).read_bytes() for f in files if (EXAMPLES / f).exists()}
    if GROUPS_FILE.exists():
        out["offence_groups_example.csv"] = GROUPS_FILE.read_bytes()
    return out


def frame_to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV for download with spreadsheet formulas escaped (a cell like =HYPERLINK(...) is quoted)."""
    from fd_stats.cli.main import escape_frame

    return escape_frame(df).to_csv(index=False).encode("utf-8")


def dataset_name(file_name: str) -> str:
    """A data set name for the sidebar (a refreshed file replaces its earlier upload of the
    same name; the bundled data set's name is never reused)."""
    from dashboard.state import BUNDLED_NAME

    name = str(file_name)
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.lower() in TABLE_TYPES:  # only a real extension is removed
        name = stem  # ("x (built from y.csv)" keeps its ".csv)")
    base = safe_text(name, "plain", max_len=60) or "Uploaded data"
    name = f"{base} (uploaded)"
    return name if name != BUNDLED_NAME else f"{base} (uploaded copy)"


def outcomes_page() -> str | None:
    """Path of the Outcomes page relative to the app folder, if it exists."""
    found = sorted((ROOT / "pages").glob("*_Outcomes.py"))
    return f"pages/{found[0].name}" if found else None
