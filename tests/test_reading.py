"""Reading person-level files: delimiters, decimal commas, encodings, missing tokens, bad cells."""
import numpy as np
import pandas as pd
import pytest

from fd_stats import DataError, Mapping, analyse, read_table

ROWS = [("treatment", "1.5", "0"), ("control", "2.25", "3"), (" Treatment ", "NA", "1"),
        ("CONTROL", "4", ""), ("treatment", "0.5", "2"), ("control", "N/A", "null")]


def make_csv(sep=",", decimal=".", encoding="utf-8", bom=False):
    lines = [sep.join(["arm", "harm", "knife"])]
    for arm, harm, knife in ROWS:
        lines.append(sep.join([arm, harm.replace(".", decimal), knife]))
    text = "\n".join(lines) + "\n"
    raw = text.encode(encoding)
    return (b"\xef\xbb\xbf" + raw) if bom else raw


@pytest.mark.parametrize("sep,decimal", [(",", "."), (";", ","), ("\t", "."), ("\t", ","),
                                         ("|", ".")])
@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("utf-16", False),
                                          ("latin-1", False)])
def test_csv_dialects_and_encodings(sep, decimal, encoding, bom):
    df = read_table(make_csv(sep, decimal, encoding, bom), name="people.csv")
    assert list(df.columns) == ["arm", "harm", "knife"]
    assert df["harm"].tolist()[:2] == [1.5, 2.25]
    assert df["harm"].isna().sum() == 2 and df["knife"].isna().sum() == 2


def test_latin1_text_is_kept():
    raw = "arm,area,y\ntreatment,Llanelli Rhôs,1\ncontrol,Caerffili,2\n".encode("latin-1")
    df = read_table(raw, name="x.csv")
    assert df.loc[0, "area"] == "Llanelli Rhôs"


def test_missing_values_and_arm_labels_are_counted_not_dropped_silently():
    df = read_table(make_csv(), name="people.csv")
    df.loc[len(df)] = ["unknown", 1.0, 1.0]
    df.loc[len(df)] = [None, 1.0, 1.0]
    res = analyse(df, Mapping(outcomes=("harm", "knife"))).set_index("outcome")
    assert res.loc["harm", "n_treatment"] == 2 and res.loc["harm", "n_control"] == 2
    assert res.loc["harm", "n_missing"] == 2 and res.loc["knife", "n_missing"] == 2
    assert res.attrs["n_excluded_arm"] == 2
    assert res.attrs["excluded_arm_values"] == ["unknown"]


def test_text_in_an_outcome_column_names_column_rows_and_values():
    raw = b"arm,knife\ntreatment,1\ncontrol,two\ntreatment,0\ncontrol,3\ncontrol,lots\n"
    df = read_table(raw, name="p.csv")
    with pytest.raises(DataError) as err:
        analyse(df, Mapping(outcomes=("knife",)))
    msg = str(err.value)
    assert "'knife'" in msg and "2, 5" in msg and "'two'" in msg and "'lots'" in msg


def test_excel_and_parquet_round_trip(tmp_path):
    df = pd.DataFrame({"arm": ["treatment", "control"] * 3, "y": [1.0, 2, 0, 3, 1, 5]})
    xlsx, pq = tmp_path / "t.xlsx", tmp_path / "t.parquet"
    df.to_excel(xlsx, index=False)
    df.to_parquet(pq)
    for path in (xlsx, pq):
        got = read_table(path)
        assert got["y"].tolist() == df["y"].tolist()
        assert analyse(got).loc[0, "n_treatment"] == 3


@pytest.mark.parametrize("raw,name,words", [
    (b"", "empty.csv", "empty"),
    (b"\x00\x01\x02\x03garbage\x00", "bin.csv", "binary"),
    (b"arm,y\n", "header.csv", "no data rows"),
    (b"a,b\n1,2,3,4\n5\n", "ragged.csv", "same number of fields"),
    (b"arm,y\ntreatment,1\n", "fake.xlsx", "not a real .xlsx"),
    (b"PAR1garbage", "broken.parquet", "Parquet"),
])
def test_broken_files_raise_one_clear_error(raw, name, words):
    with pytest.raises(DataError) as err:
        read_table(raw, name=name)
    assert words in str(err.value) and name in str(err.value)


def test_missing_arm_column_and_values_are_explained():
    df = pd.DataFrame({"group": ["a", "b"], "y": [1.0, 2.0]})
    with pytest.raises(DataError, match="no column named 'arm'"):
        analyse(df)
    df = pd.DataFrame({"arm": ["x", "y"], "y": [1.0, 2.0]})
    with pytest.raises(DataError, match="Values found: x, y"):
        analyse(df)


def test_infinite_outcome_values_are_an_error_naming_rows():
    df = pd.DataFrame({"arm": ["treatment", "control", "control"], "y": [1.0, np.inf, 2.0]})
    with pytest.raises(DataError, match="'y' has infinite values in rows 2"):
        analyse(df)
