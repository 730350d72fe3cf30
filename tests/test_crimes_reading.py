"""Reading a crimes extract as categoricals (fd_stats.data.io.read_csv_categorical, issue 14):
the same table, numbers and messages as the general CSV reader, and the same counts."""
import pandas as pd
import pytest

from dashboard.upload import EXAMPLES, handle_upload
from fd_stats.data.aggregate import aggregate, aggregate_over_time
from fd_stats.errors import DataError
from fd_stats.data.io import read_csv_bytes, read_csv_categorical
from fd_stats.data.trial import BUNDLED_TRIAL


def plain(df):
    """Categoricals as object columns with None for missing, for comparison."""
    return df.apply(lambda s: s.astype(object).where(s.notna(), None)
                    if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object else s)


CASES = {
    "spaces and missing tokens": b"id,date,harm\nA, 2023-01-01,1.5\nB,2023-02-01,NA\n C ,,2\n",
    "semicolons, decimal commas": b"id;date;harm\nA;01/02/2023;1,5\nB;02/02/2023;2,25\n",
    "cp1252, a quoted newline": "id,name\n1,Jos\u00e9\n2,\"multi\nline\"\n".encode("cp1252"),
    "UTF-8 byte-order mark": "\ufeffid,v\n1,2\n3,4\n".encode("utf-8"),
    "UTF-16": "id,v\n1,2\n3,4\n".encode("utf-16"),
    "leading zeros, an empty id": b"id,v\n007,1\n7,2\n,3\n",
    "thousands or decimals": b"id,v\n1,1.000\n2,2.500\n",
    "text beside numbers": b"id,code\nP1,1.5\nP2,x\n",
}


@pytest.mark.parametrize("raw", CASES.values(), ids=CASES.keys())
def test_same_table_as_the_general_reader(raw):
    a, b = read_csv_bytes(raw, "x.csv"), read_csv_categorical(raw, "x.csv")
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(plain(a), plain(b), check_dtype=False)


@pytest.mark.parametrize("raw", [b"id,v\n1,2\n3\n4,5,6\n", b"id,id\n1,2\n", b"", b"id,v\n",
                                 b"id,\n1,2\n"])
def test_same_message_as_the_general_reader(raw):
    with pytest.raises(DataError) as general:
        read_csv_bytes(raw, "bad.csv")
    with pytest.raises(DataError) as categorical:
        read_csv_categorical(raw, "bad.csv")
    assert str(categorical.value) == str(general.value)


def test_bundled_extract_counts_the_same_either_way():
    raw = (BUNDLED_TRIAL / "crimes.csv").read_bytes()
    people = read_csv_bytes((BUNDLED_TRIAL / "randomisation.csv").read_bytes(), "r.csv")
    general, categorical = read_csv_bytes(raw, "c.csv"), read_csv_categorical(raw, "c.csv")
    assert isinstance(categorical["person_id"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(plain(general), plain(categorical), check_dtype=False)
    kw = dict(end_date="2025-03-31", programme_months=12)
    a = aggregate_over_time(general, people, None, **kw)
    b = aggregate_over_time(categorical, people, None, **kw)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.notes == b.notes


def test_example_extract_counts_the_same_through_the_upload():
    files = [EXAMPLES / f for f in ("crimes_example.csv", "randomisation_example.csv",
                                     "harm_lookup_example.csv")]
    general = [handle_upload(f.read_bytes(), f.name).table for f in files]
    # as the Data page: the extract read as categoricals, the other two as usual
    fast = [handle_upload(f.read_bytes(), f.name, categorical=f.name.startswith("crimes")).table
            for f in files]
    pd.testing.assert_frame_equal(aggregate(*general).table, aggregate(*fast).table)


def test_direction_controls_removed_from_categories():
    raw = "id,off\n1,a\u202eb\n2,c\n3,a\u202eb\n".encode()
    u = handle_upload(raw, "x.csv", categorical=True)
    assert list(u.table["off"]) == ["ab", "c", "ab"]
    assert "2 cell(s)" in u.notes[0]
