"""The 1M-row upload's faster paths (issue 16, session 4) give what the code before them gave:
pyarrow's reader for plain CSV files (pandas' reader and checks kept verbatim in
tests/reference_io.py), the delimiter sniffed on the file's head, the text facts of many-valued
ASCII columns made in Arrow, the subgroup check from presence masks, the kind guess reusing the
guess's facts, the upload's skip of the invisible-character search for ASCII files, and the
table hash of the caches (never coarser than pandas' row hashes)."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import reference_io as old
from dashboard import upload
from dashboard.state import table_hash
from fd_stats.data import io as new
from fd_stats.data import mapping
from fd_stats.errors import DataError

# cells that the two readers could treat differently: leading and trailing spaces, tabs,
# characters Python (not CSV) takes as line breaks, comment and quote marks, EOF, Unicode
CELLS = ["1", " 2", "3 ", "  4.5", "1,5", "1.250,50", "-", "NA", " NA", "", " ", "x", " y z",
         "\t7", "#8", "'9'", "\x1a", "a\x0bb", "c\x0cd", "e\u2028f", "g\x85h", "Ünï", "\u202ex",
         "1e3", "0", "P01", "p01 ", "#N/A", "-NaN", "1.#IND", "NULL", "n/a"]  # pyarrow's nulls
NAMES = ["id", " arm", "y ", "y", "", "Unnamed: 1", "z\u200e", "#c", "n 1"]


def outcome(fn, *args, **kw):
    try:
        return ("ok", fn(*args, **kw))
    except DataError as exc:
        return ("error", str(exc))


def same_read(raw: bytes, **kw):
    a = outcome(new.read_csv_bytes, raw, "f.csv", **kw)
    b = outcome(old.read_csv_bytes, raw, "f.csv", **kw)
    assert a[0] == b[0], (raw[:200], a, b)
    if a[0] == "ok":
        pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)
    else:
        assert a[1] == b[1]
    return a


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique_by=str.strip),
       rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=1, max_size=4), min_size=0,
                     max_size=8),
       delim=st.sampled_from([",", ";", "\t", "|"]), ragged=st.sampled_from([False] * 3 + [True]),
       blank=st.booleans(), end=st.sampled_from(["", "\n", "\r\n", "\n\n"]),
       quote=st.sampled_from([None] * 4 + ['"a, b"', ' "q"']), as_text=st.booleans())
def test_csv_reads_as_pandas_read_it(header, rows, delim, ragged, blank, end, quote, as_text):
    width = len(header)
    rows = [r if ragged else (r * width)[:width] for r in rows]
    if quote and rows:
        rows[0][0] = quote
    lines = [delim.join(header)] + [delim.join(r) for r in rows]
    if blank:
        lines.insert(len(lines) // 2 + 1, "")
    text = "\n".join(lines) + end
    same_read(text.encode("utf-8"), as_text=as_text)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("where", range(3))
def test_each_cell_of_a_plain_file_reads_as_before(cell, where):
    rows = [["P1", "treatment", "1"], ["P2", "control", "2.5"]]
    rows[0][where] = cell
    same_read(("id,arm,y\n" + "\n".join(",".join(r) for r in rows) + "\n").encode())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("text", [
    "id,arm,y\nP1,treatment, 1\nP2, control,2\n",
    "id;arm;y\n1;t;1,5\n2;c;2,25\n",                      # decimal commas
    "id,arm,y\n1,t,1\n\n2,c,2\n",                          # a blank line
    "id,arm,y\n1,t\n2,c,2\n",                              # a short row: pandas' message
    "id,arm,y\n1,t,1,9\n",                                 # a long row
    "id,arm,id\n1,t,1\n",                                  # a repeated name
    "id,arm,\n1,t,1\n",                                    # a blank name
    " id , arm ,y\n1,t,1\n",
    "id,arm,y\n",                                          # no data rows
    'id,arm,y\n1,t,"1,5"\n',                               # quoted: pandas
    "id,arm,y\r\n1,t,1\r\n",                               # CRLF: pandas
    "y\n1\n  \n2\n",                                       # one column: pandas
])
def test_edge_files_read_as_before(text, encoding):
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip("not representable")
    same_read(raw)


def test_a_plain_file_is_read_by_pyarrow_and_others_by_pandas(monkeypatch):
    calls = []
    real = pd.read_csv
    monkeypatch.setattr(new.pd, "read_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    t = new.read_csv_bytes(b"id,arm,y\nP1,treatment, 1\nP2,control,2.5\n", "f.csv")
    assert calls == [] and list(t["y"]) == [1.0, 2.5]
    new.read_csv_bytes(b'id,arm,y\nP1,"treatment",1\n', "f.csv")
    assert calls == [1]


def test_a_large_plain_file_reads_as_before():
    rng = np.random.default_rng(3)
    n = 20_000
    df = pd.DataFrame({"person_id": np.char.add("P", np.arange(n).astype(str)),
                       "arm": np.where(rng.random(n) < 0.5, "treatment", "control"),
                       "harm": np.round(rng.lognormal(1, 1, n), 2).astype(str),
                       "count": np.where(rng.random(n) < 0.05, "NA",
                                         rng.poisson(2, n).astype(str)),
                       "note": np.where(rng.random(n) < 0.5, " x", "")})
    same_read(df.to_csv(index=False).encode())
    same_read(df.to_csv(index=False, sep=";").replace(".", ",").encode())


@settings(max_examples=200, deadline=None)
@given(lengths=st.lists(st.integers(0, 4000), min_size=0, max_size=80),
       breaks=st.lists(st.sampled_from(["\n", "\r\n", "\r", "\x0b", "\u2028"]), min_size=1,
                       max_size=5),
       k=st.sampled_from([1, 50]))
def test_first_lines_are_those_of_the_whole_text(lengths, breaks, k):
    text = "".join("a" * n + breaks[i % len(breaks)] for i, n in enumerate(lengths))
    assert new._first_lines(text, k) == text.splitlines()[:k]


@pytest.mark.parametrize("text,k", [("a" * 150_000 + "\nb", 1),
                                    ("y\n" * 49 + "z" * 150_000 + "\n;", 50)])
def test_first_lines_when_the_kth_line_outruns_the_head(text, k):
    assert new._first_lines(text, k) == text.splitlines()[:k]


def test_first_lines_with_a_line_break_cut_at_the_head():
    for pad in range(99_990, 100_010):
        text = "x" * pad + "\r\n" + "y\n" * 60
        assert new._first_lines(text, 50) == text.splitlines()[:50]
        assert new._sniff(text) == old._sniff(text)


# ---------------------------------------------------------------- facts of text columns

def old_text_facts(values: pd.Series) -> tuple[int, list]:
    """Facts.__init__ before session 4, for a column of text: (nunique, values)."""
    distinct = values.dropna().drop_duplicates()
    texts = (mapping._texts(distinct).str.casefold() if len(distinct)
             else pd.Series([], dtype=str))
    texts = texts[texts != ""]
    n = int(texts.nunique())
    return n, sorted(texts.unique()) if n <= 12 else []


def test_ascii_space_and_case_are_pythons():
    ascii_ = [chr(i) for i in range(128)]
    assert set(mapping._ASCII_SPACE) == {c for c in ascii_ if c.strip() == ""}
    assert all(c.casefold() == c.lower() for c in ascii_)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.one_of(st.none(), st.text(
    alphabet=st.sampled_from(list("aAbB1 _-\t\n\x0b\x0c\r\x1c\x1d\x1e\x1fZz") + ["é", "ß"]),
    max_size=4)), min_size=1, max_size=60), spread=st.integers(0, 30))
def test_text_facts_equal_the_previous_code(values, spread):
    values = values + [f"id{i}" for i in range(spread)]  # more than 12 distinct values or not
    s = pd.Series(values, dtype=object, name="code")
    f = mapping.Facts(pd.DataFrame({"code": s}), "code", {})
    assert (f.nunique, f.values) == old_text_facts(s)


def test_text_facts_of_many_ids_equal_the_previous_code():
    ids = [f"P{i:05d}" for i in range(6000)] + [" p00001", "P00002 ", "", "  "]
    s = pd.Series(ids, dtype=object)
    f = mapping.Facts(pd.DataFrame({"person": s}), "person", {})
    assert mapping._ascii_texts(s.dropna()) is not None  # the Arrow path ran
    assert (f.nunique, f.values) == old_text_facts(s) == (6000, [])


def old_eligibility(table, arm, treatment, control, exclude=(), facts=None):
    """subgroup_eligibility before session 4 (boolean selection per column and arm)."""
    from fd_stats.analysis import arm_flags

    out = {}
    if arm not in table.columns:
        return out
    try:
        is_t, is_c = arm_flags(table[arm], treatment, control)[:2]
    except DataError:
        return out
    for c in table.columns:
        if c == arm or c in exclude:
            continue
        f = (facts or {}).get(c) or mapping.Facts(table, c, {})
        s = table[c]
        in_t, in_c = s[is_t].notna().any(), s[is_c].notna().any()
        if not (in_t and in_c):
            which = "control" if in_t else "treatment"
            out[c] = (f"recorded only for one arm (empty for every {which} row), so measured "
                      "after randomisation: splitting by it is not a subgroup analysis")
        elif f.has("engagement_name"):
            out[c] = "engagement happens after randomisation: not a subgroup"
        elif f.has("note_name") and not f.numeric:
            out[c] = "free text or notes"
        elif f.nunique < 2:
            out[c] = "has a single value"
        elif f.nunique > mapping.MAX_SUBGROUP_LEVELS:
            out[c] = (f"has {f.nunique} different values; make bands (e.g. age groups) in the "
                      "file to use it as a subgroup")
        else:
            out[c] = ""
    return out


def trial_tables():
    rng = np.random.default_rng(7)
    n = 5000
    arm = np.where(rng.random(n) < 0.5, "Treatment", "control")
    base = pd.DataFrame({
        "person_id": [f"YP{i}" for i in range(n)], "arm": arm,
        "age_group": rng.choice(["18-20", "21-24", "25+"], n),
        "engaged": np.where(arm == "Treatment", rng.choice(["yes", "no"], n), None),
        "reason": np.where(arm == "Treatment", "letter", None),
        "site": rng.choice([f"S{i}" for i in range(30)], n),
        "notes": rng.choice(["a", "b", None], n),
        "knife_crimes": rng.poisson(0.3, n).astype(float),
        "harm_score": np.round(rng.lognormal(0, 1, n), 2),
        "earnings_2019": rng.normal(1e4, 3e3, n), "earnings_2021": rng.normal(1e4, 3e3, n),
        "reoffended": rng.integers(0, 2, n).astype(float),
        "Name": [f"Person {i % 4000}" for i in range(n)],
    })
    yield base
    only_t = base.copy()
    only_t.loc[only_t["arm"] == "control", "age_group"] = None
    yield only_t
    none_c = base[base["arm"] == "Treatment"].reset_index(drop=True)  # no control at all
    yield none_c
    ids = base.copy()
    ids["person_id"] = [f"p{i // 2}" if i % 2 else f"P{i // 2}" for i in range(n)]  # A/a
    yield ids
    mixed = base.copy()
    mixed["Name"] = [f"Pérson {i}" for i in range(n)]  # not ASCII: pandas' path
    yield mixed


@pytest.mark.parametrize("case", range(5))
def test_guess_and_subgroup_check_equal_the_previous_code(case, monkeypatch):
    table = list(trial_tables())[case]
    facts = {c: mapping.Facts(table, c, {}) for c in table.columns}
    for exclude in ((), ("person_id", "knife_crimes")):
        for arm, t, c in (("arm", "Treatment", "control"), ("arm", "treatment", "x"),
                          ("site", "S1", "S2"), ("missing", "a", "b")):
            want = old_eligibility(table, arm, t, c, exclude)
            assert mapping.subgroup_eligibility(table, arm, t, c, exclude) == want
            assert mapping.subgroup_eligibility(table, arm, t, c, exclude, facts) == want
    got = mapping.guess_spec(table)
    # before: no Arrow texts, the old subgroup check, a fresh Facts for each outcome's kind
    monkeypatch.setattr(mapping, "_ascii_texts", lambda values: None)
    monkeypatch.setattr(mapping, "subgroup_eligibility", old_eligibility)
    spec_of = mapping._outcome_spec
    monkeypatch.setattr(mapping, "_outcome_spec", lambda t, c, labels, f=None:
                        spec_of(t, c, labels))
    want = mapping.guess_spec(table)
    assert got[0].to_json() == want[0].to_json()
    assert got[1] == want[1]


# ---------------------------------------------------------------- the upload and the caches

def test_an_ascii_upload_skips_the_search_and_loses_nothing(monkeypatch):
    raw = b"id,arm,y\nP1,treatment,1\nP2,control,2\n"
    want = upload.handle_upload(raw, "f.csv")
    monkeypatch.setattr(upload, "_without_direction_controls",
                        lambda u: pytest.fail("searched an ASCII file"))
    got = upload.handle_upload(raw, "f.csv")
    pd.testing.assert_frame_equal(got.table, want.table)
    assert got.notes == want.notes == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16"])
def test_invisible_characters_still_go_in_any_encoding(encoding):
    # in UTF-16 without a byte-order mark, U+200E is the bytes 0e 20: ASCII, beside NULs
    raw = "id,arm,y\u200e\nP1,treat\u200ement,1\nP2,control,2\n".encode(encoding)
    u = upload.handle_upload(raw, "f.csv")
    assert list(u.table.columns) == ["id", "arm", "y"]
    assert list(u.table["arm"]) == ["treatment", "control"]
    assert u.notes and "1 column name(s) and 1 cell(s)" in u.notes[0]


def hash_cases():
    text = {"dtype": object}  # as the readers leave text (pandas would infer str)
    base = pd.DataFrame({"id": pd.Series(["a", "b", None], **text),
                         "arm": pd.Series(["t", "c", "t"], **text), "y": [1.0, np.nan, 3.0],
                         "k": [1, 2, 3], "d": pd.to_datetime(["2024-01-01"] * 3),
                         "cat": pd.Categorical(["x", "y", "x"]), "b": [True, False, True]})
    yield "same", base.copy()
    for col, value in (("id", "c"), ("id", ""), ("id", np.nan), ("id", "A"), ("arm", "c"),
                       ("y", 2.0), ("y", -0.0), ("k", 4), ("cat", "y"), ("b", False)):
        t = base.copy()
        t.loc[2, col] = value
        yield f"{col}={value!r}", t
    yield "index", base.set_axis([0, 1, 5])
    yield "renamed", base.rename(columns={"y": "z"})
    yield "order", base[list(base.columns[::-1])]
    yield "k as float", base.assign(k=base["k"].astype(float))
    yield "id bytes", base.assign(id=pd.Series([b"a", b"b", None], **text))
    yield "id numbers", base.assign(id=pd.Series([1, 2, None], **text))
    yield "text split", base.assign(id=pd.Series(["ab", "", None], **text))
    yield "id as str", base.assign(id=base["id"].astype("str"))


def test_table_hash_is_never_coarser_than_pandas_row_hashes():
    def old_hash(t):
        import hashlib
        h = hashlib.sha256(pd.util.hash_pandas_object(t, index=True).to_numpy().tobytes())
        h.update(repr([(str(c), str(x)) for c, x in t.dtypes.items()]).encode())
        return h.hexdigest()[:24]

    cases = list(hash_cases())
    base = cases[0][1]
    assert base["id"].dtype == object
    for name, t in cases:
        rebuilt = pd.read_pickle(io.BytesIO(_pickled(t)))
        assert table_hash(t) == table_hash(rebuilt) == table_hash(t.copy()), name
        if old_hash(t) != old_hash(base):
            assert table_hash(t) != table_hash(base), name
    assert table_hash(cases[0][1]) == table_hash(base)


def _pickled(t: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    t.to_pickle(buf)
    return buf.getvalue()


@pytest.mark.parametrize("dtype", [object, "str", "string", "category"])
def test_numbers_with_missing_cells_equal_the_previous_code(dtype):
    """Missing cells (None, as Excel and Parquet give them) become nan, as before."""
    col = pd.Series(["1", None, "2,5", "NA", None, " 3 ", "1"], dtype=dtype, name="y")
    for fmt in (".", ","):
        got, want = new._to_numbers(col, fmt), old._to_numbers(col, fmt)
        pd.testing.assert_series_equal(got, want, check_exact=True)
        assert got.isna().sum() >= 2
