"""Correctness sweep (issue 17): number formats, headers, partial dates, the audit's
printed precision, power below alpha, wide extracts.

Reference values come from R 4.x, script tests/r/sweep.R (run ``Rscript tests/r/sweep.R``);
each value is pasted beside the R call that produced it.
"""
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fd_stats import Mapping, Settings, analyse
from fd_stats.data import io as fdio
from fd_stats.data.aggregate import aggregate, parse_dates
from fd_stats.errors import DataError
from fd_stats.data.io import read_table
from fd_stats.methods.power import minimum_detectable_effect, power_t, sample_size
from fd_stats.methods.summary import audit_published_table
from fd_stats.methods.ttest import welch_t

ROOT = Path(__file__).resolve().parents[1]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "fd_stats", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


def welch_of(df):
    x = df.loc[df.arm == "treatment", "harm"].to_numpy(float)
    y = df.loc[df.arm == "control", "harm"].to_numpy(float)
    return welch_t(x, y)


# ---------------------------------------------------------------- 1. thousands dots
ITEM1 = ("arm;harm\ntreatment;1.250,50\ntreatment;3.300,00\ntreatment;1.000,00\n"
         "treatment;2.100,75\ntreatment;1.045,50\ncontrol;3.400,25\ncontrol;1.999,50\n"
         "control;1.800,00\ncontrol;2.500,00\ncontrol;1.200,50\ncontrol;1.950,00\n")


def test_thousands_dots_with_decimal_commas_match_r():
    # R: d1 <- read.csv2(text = txt1, colClasses = "character"); dots dropped, comma -> point
    #    t.test(harm ~ factor(arm, levels = c("treatment", "control")), data = d1)
    #    means 1739.35 2141.708333 t=-0.7549308223 df=7.40878785 p=0.4736015486
    r = welch_of(read_table(ITEM1.encode(), "harm.csv"))
    assert r.mean_treatment == pytest.approx(1739.35, abs=1e-9)
    assert r.mean_control == pytest.approx(2141.708333, abs=1e-6)
    assert r.statistic == pytest.approx(-0.7549308223, abs=1e-9)
    assert r.df == pytest.approx(7.40878785, abs=1e-7)
    assert r.p_value == pytest.approx(0.4736015486, abs=1e-9)


def test_thousands_dots_through_the_command_line(tmp_path):
    f = tmp_path / "harm.csv"
    f.write_text(ITEM1)
    out = cli("analyse", f, "--format", "json")
    assert out.returncode == 0, out.stderr
    row = pd.read_json(io.StringIO(out.stdout)).iloc[0]
    assert row.p_value == pytest.approx(0.4736015486, abs=1e-9)


def test_millions_with_two_thousands_dots_tab_separated():
    # neighbour: the same values x 1000 (1.250.500,00), tab-separated, beside a plain column
    # R: t.test(c(1250.5,3300,1000,2100.75,1045.5)*1000, c(3400.25,1999.5,1800,2500,1200.5,1950)*1000)
    #    means 1739350 2141708.333 t=-0.7549308223 df=7.40878785 p=0.4736015486
    lines = ["arm\tharm\tid"]
    for i, line in enumerate(ITEM1.splitlines()[1:]):
        arm, v = line.split(";")
        whole, dec = v.split(",")
        lines.append(f"{arm}\t{whole}.{dec}0,00\t{i}")
    df = read_table("\n".join(lines).encode(), "harm.tsv")
    assert df.id.tolist() == list(map(float, range(11)))
    r = welch_of(df)
    assert r.mean_treatment == pytest.approx(1739350, abs=1e-6)
    assert r.p_value == pytest.approx(0.4736015486, abs=1e-9)


def test_english_thousands_commas_in_a_semicolon_file():
    # neighbour: 1,250.50 (thousands comma, decimal point) is the same number as 1.250,50
    text = ITEM1.replace(".", "#").replace(",", ".").replace("#", ",")
    r = welch_of(read_table(text.encode(), "harm.csv"))
    assert r.p_value == pytest.approx(0.4736015486, abs=1e-9)


# ---------------------------------------------------------------- 2. whole columns
ITEM2 = ("arm;harm\n" + "treatment;0\ncontrol;0\n" * 30 + "treatment;12,5\ncontrol;30,25\n"
         "treatment;7,5\ncontrol;45,75\ncontrol;18,5\ntreatment;3,25\n")


def test_decimal_comma_after_line_50_matches_r():
    # R: read.csv2 of the 66 lines; t.test(harm ~ factor(arm, levels = c("treatment", "control")))
    #    means 0.7045454545 2.863636364 t=-1.223882778 df=36.27576311 p=0.2288864138
    r = welch_of(read_table(ITEM2.encode(), "late.csv"))
    assert r.mean_treatment == pytest.approx(0.7045454545, abs=1e-9)
    assert r.mean_control == pytest.approx(2.863636364, abs=1e-8)
    assert r.statistic == pytest.approx(-1.223882778, abs=1e-8)
    assert r.df == pytest.approx(36.27576311, abs=1e-7)
    assert r.p_value == pytest.approx(0.2288864138, abs=1e-9)


def test_each_column_gets_its_own_format():
    # neighbour: in one file a decimal-comma column whose only comma is on the last line,
    # beside a decimal-point column (Excel exports can mix them)
    # R: t.test(c(rep(1, 40), 2.5), rep(2, 40)): means 1.036585366 2 t=-26.33333333 df=40
    rows = [f"treatment\t1\t0.25" for _ in range(40)] + ["treatment\t2,5\t0.5"]
    rows += [f"control\t2\t0.75" for _ in range(40)]
    df = read_table(("arm\tharm\tshare\n" + "\n".join(rows)).encode(), "mixed.tsv")
    assert df.share.tolist()[-1] == 0.75 and df.harm.tolist()[40] == 2.5
    r = welch_of(df)
    assert r.mean_treatment == pytest.approx(1.036585366, abs=1e-9)
    assert r.statistic == pytest.approx(-26.33333333, abs=1e-7)


@pytest.mark.parametrize("text", ["arm;harm\nt;1.500\nc;2.250\n", "arm;harm\nt;1,500\nc;2,250\n",
                                  "arm\tharm\nt\t1.500\nc\t-3.000\n"])
def test_ambiguous_column_is_reported_not_guessed(text):
    with pytest.raises(DataError, match="column 'harm' holds numbers such as '-?[123][.,][05]00'"):
        read_table(text.encode(), "amb.csv")


def test_ambiguous_column_follows_the_file_that_settles_it():
    # another column shows the file's format: 1,5 settles decimal commas, so 1.500 is 1500
    df = read_table(b"arm;harm;x\nt;1.500;1,5\nc;2.250;2\n", "a.csv")
    assert df.harm.tolist() == [1500.0, 2250.0]
    df = read_table(b"arm;harm;x\nt;1.500;0.25\nc;2.250;2\n", "a.csv")
    assert df.harm.tolist() == [1.5, 2.25]
    # an unquoted comma cannot be a decimal mark in a comma-separated file
    assert read_table(b"arm,harm\nt,1.500\nc,2.250\n", "a.csv").harm.tolist() == [1.5, 2.25]
    # a leading zero is never a thousands group, and three decimals alone are not ambiguous
    assert read_table(b"arm;p\nt;0.125\nc;0.500\n", "a.csv").p.tolist() == [0.125, 0.5]


def test_text_columns_stay_text():
    df = read_table(b"arm;code\nt;1.2.3\nc;A1\n", "a.csv")
    assert df.code.tolist() == ["1.2.3", "A1"]


# ---------------------------------------------------------------- 3. duplicate headers
def _xlsx(rows) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _parquet_with_duplicate_names() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays([pa.array(["treatment", "control"]), pa.array([1.0, 2.0]),
                                  pa.array([3.0, 4.0])], names=["arm", "harm", "harm"])
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


DUPLICATE_MESSAGE = ("column names appear more than once: harm. Rename them so each column "
                     "has its own name.")


@pytest.mark.parametrize("name, raw", [
    ("d.csv", b"arm,harm,harm\ntreatment,1,2\ncontrol,2,3\n"),
    ("d.xlsx", _xlsx([["arm", "harm", "harm"], ["treatment", 1, 2], ["control", 2, 3]])),
    ("d.parquet", _parquet_with_duplicate_names()),
    # neighbour: the same name after trimming spaces
    ("d.xlsx", _xlsx([["arm", "harm", " harm "], ["treatment", 1, 2], ["control", 2, 3]])),
    ("d.csv", b"arm;harm;harm \ntreatment;1;2\ncontrol;2;3\n"),
])
def test_duplicate_headers_refused_alike(name, raw):
    with pytest.raises(DataError) as exc:
        read_table(raw, name)
    assert str(exc.value) == f"{name}: {DUPLICATE_MESSAGE}"


def test_excel_headers_and_numbers_still_read():
    raw = _xlsx([["arm", "harm", "note"], ["treatment", 1.5, "a"], ["control", 2125.25, None]])
    df = read_table(raw, "ok.xlsx")
    assert list(df.columns) == ["arm", "harm", "note"]
    assert df.harm.tolist() == [1.5, 2125.25] and df.note.tolist() == ["a", None]
    # a number cell 1.5 with a text cell 2,125 in one column is not read as two formats
    with pytest.raises(DataError, match="no name"):
        read_table(_xlsx([["arm", None], ["t", 1]]), "blank.xlsx")


# ---------------------------------------------------------------- 4. partial dates
@pytest.mark.parametrize("partial", ["2023", "2023-05", "05/2023", "May 2023", "202305",
                                     "44927"])
def test_partial_dates_are_unreadable_like_excel_serials(partial):
    got = parse_dates(pd.Series([partial, "2023-05-04", "04/05/2023", "2023/5/4", "4 May 2023"],
                                dtype=object), "crimes.csv", "date")
    assert np.isnat(got[0])
    assert [str(d)[:10] for d in got[1:]] == ["2023-05-04"] * 4


def test_partial_date_in_the_crimes_extract_is_not_counted():
    people = pd.DataFrame({"person_id": ["P1", "P2", "P3", "P4"],
                           "arm": ["treatment", "treatment", "control", "control"],
                           "randomisation_date": ["2022-12-01"] * 4})
    crimes = pd.DataFrame({"person_id": ["P1", "P1", "P3"],
                           "offence_date": ["2023", "2023-02-03", "2023-05"],
                           "offence": ["theft", "theft", "theft"], "role": ["suspect"] * 3})
    harm = pd.DataFrame({"offence": ["theft"], "harm_days": [2.0]})
    res = aggregate(crimes, people, harm, months=12)
    counted = res.table.filter(like="harm").iloc[:, 0].tolist()
    assert counted == [2.0, 0.0, 0.0, 0.0]
    assert any("no readable date" in n and "rows 1, 3" in n for n in res.notes)


# ---------------------------------------------------------------- 5. audit precision
AUDIT = "t,df,p_reported\n3,10,0.009\n2.0000,40,0.0500\n2.0,40,0.05\n"


def test_audit_from_the_command_line_keeps_printed_precision(tmp_path):
    # R: a printed 3 on a printed df of 10 spans t 2.5..3.5, df 9.5..10.5:
    #    2*pt(-3.5, 10.5) = 0.00532363014, 2*pt(-2.5, 9.5) = 0.03258505779 -> 0.009 fits
    #    2.0000 on df 40: 2*pt(-2.00005, 40.5) = 0.05223169104, 2*pt(-1.99995, 39.5) =
    #    0.05241517291 -> 0.0500 (0.04995..0.05005) does not fit: inconsistent
    #    neighbour 2.0 on df 40: 2*pt(-2.05, 40) = 0.04695901161 .. 2*pt(-1.95, 40) = 0.05820936391
    for name, text in (("a.csv", AUDIT), ("b.csv", AUDIT.replace(",", ";").replace(".", ","))):
        f = tmp_path / name
        f.write_text(text)
        out = cli("audit", f, "--format", "json")
        assert out.returncode == 0, out.stderr
        res = pd.read_json(io.StringIO(out.stdout), dtype=False)
        assert res.sidedness.tolist() == ["two-sided", "inconsistent", "two-sided"], name
        assert res.p_two_sided_min[0] == pytest.approx(0.00532363014, abs=1e-10)
        assert res.p_two_sided_max[0] == pytest.approx(0.03258505779, abs=1e-10)
        assert res.p_two_sided_min[1] == pytest.approx(0.05223169104, abs=1e-10)
        assert res.p_two_sided_max[1] == pytest.approx(0.05241517291, abs=1e-10)


def test_audit_excel_text_cells_keep_precision(tmp_path):
    raw = _xlsx([["t", "df", "p_reported"], ["3", "10", "0.009"], ["2.0000", "40", "0.0500"]])
    table = read_table(raw, "a.xlsx", as_text=True)
    assert table.t.tolist() == ["3", "2.0000"]
    res = audit_published_table(table)
    assert res.sidedness.tolist() == ["two-sided", "inconsistent"]
    with pytest.raises(DataError, match="Parquet stores numbers"):
        read_table(_parquet_with_duplicate_names(), "a.parquet", as_text=True)


# ---------------------------------------------------------------- 6. power below alpha
@pytest.mark.parametrize("power, alternative", [(0.04, "one-sided"), (0.05, "one-sided"),
                                                (0.05, "two-sided"), (0.01, "two-sided")])
def test_power_at_or_below_alpha_is_refused(power, alternative):
    # R power.t.test(delta=0.5, sd=1, power=0.04, alternative="one.sided") returns n = 1.0015,
    # which is no sample size: n = 2 already gives 0.09941167238 (R power.t.test(n=2, ...)).
    with pytest.raises(DataError, match="not above alpha"):
        sample_size(0.5, 1, power=power, alpha=0.05, alternative=alternative)
    with pytest.raises(DataError, match="not above alpha"):
        minimum_detectable_effect(1, 20, power=power, alpha=0.05, alternative=alternative)
    out = cli("power", "--delta", 0.5, "--sd", 1, "--power", power, "--alternative", alternative)
    assert out.returncode == 2 and "not above alpha" in out.stderr and "n_per_arm" not in out.stdout


def test_power_just_above_alpha_and_the_usual_case():
    # R: power.t.test(n=2, delta=0.5, sd=1, alternative="one.sided")$power = 0.09941167238
    assert power_t(0.5, 1, 2, alternative="one-sided") == pytest.approx(0.09941167238, abs=1e-9)
    ss = sample_size(0.5, 1, power=0.06, alternative="one-sided")
    assert ss.n_treatment == 2 and power_t(0.5, 1, 2, alternative="one-sided") >= 0.06
    # R: power.t.test(delta=0.5, sd=1, power=0.8, alternative="one.sided")$n = 50.15079949
    # (R's uniroot stops at tol = 1.2e-4; we solve to 1e-10)
    assert sample_size(0.5, 1, power=0.8, alternative="one-sided").n_treatment == pytest.approx(
        50.15079949, abs=1.2e-4)


# ---------------------------------------------------------------- 8. wide extracts
def _wide_csv(n_columns: int, n_rows: int = 8) -> str:
    head = "arm," + ",".join(f"c{i}" for i in range(n_columns))
    rows = [("treatment" if r % 2 else "control") + "," +
            ",".join(str((i * r) % 7 + (r % 2)) for i in range(n_columns)) for r in range(n_rows)]
    return "\n".join([head, *rows]) + "\n"


def test_wide_extract_with_named_outcomes(tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text(_wide_csv(3000))
    out = cli("analyse", f, "--outcome", "c1", "--outcome", "c2999", "--format", "json")
    assert out.returncode == 0, out.stderr
    res = pd.read_json(io.StringIO(out.stdout))
    assert res.outcome.tolist() == ["c1", "c2999"]
    # the same numbers as analysing a two-outcome file
    small = read_table(f, columns=["arm", "c1", "c2999"])
    want = analyse(small, Mapping(outcomes=("c1", "c2999")), Settings())
    assert res.p_value.tolist() == pytest.approx(want.p_value.tolist(), abs=1e-12)


def test_the_limit_is_in_cells_and_counts_only_named_columns(monkeypatch, tmp_path):
    monkeypatch.setattr(fdio, "MAX_CELLS", 1000)
    text = _wide_csv(300, n_rows=8)       # 9 lines x 301 columns > 1,000 cells
    with pytest.raises(DataError, match=r"cells; the dashboard reads at most 1,000 cells"):
        read_table(text.encode(), "wide.csv")
    df = read_table(text.encode(), "wide.csv", columns=["arm", "c1", "c299"])
    assert list(df.columns) == ["arm", "c1", "c299"]
    # neighbour: a long narrow file over the limit is refused the same way (cells, not columns)
    long = "arm,y\n" + "treatment,1\n" * 600
    with pytest.raises(DataError, match="1,000 cells"):
        read_table(long.encode(), "long.csv")


# ---------------------------------------------------------------- 7. permutation interval
from fd_stats.methods.permutation import permutation_test, permutation_test_many  # noqa: E402


def test_permutation_interval_3_v_3_is_unbounded_like_its_test():
    # 20 arrangements: the smallest two-sided p is 2/20 = 0.1, so no shift is rejected at 5%
    # R (tests/r/sweep.R, perm_p by combn): two-sided p 0.1, greater p 0.05
    r = permutation_test([10, 11, 12], [1, 2, 3])
    assert r.estimate == 9 and r.p_value == pytest.approx(0.1)
    assert r.ci_low == -np.inf and r.ci_high == np.inf
    assert "does not reject" in r.ci_method and "bootstrap" not in r.ci_method
    g = permutation_test([10, 11, 12], [1, 2, 3], alternative="greater")
    assert g.p_value == pytest.approx(0.05) and g.ci_low == -np.inf  # p = alpha: not rejected


@pytest.mark.parametrize("x, y, alt, level, low, high, p", [
    # R: perm_p(x - s, y, alt) > alpha over a grid of s (step 0.001 / 0.0005), range of s kept
    ([10, 11, 12, 14], [1, 2, 3, 5, 4], "two-sided", 0.95, 6.0, 11.5, 0.007936507937),
    ([10, 11, 12, 14], [1, 2, 3, 5, 4], "greater", 0.95, 6.5, np.inf, None),
    ([3.1, 0.4, 2.2, 5.0, 1.7, 2.9], [1.2, 0.3, 2.5, 0.9, 1.1, 0.2, 1.4], "two-sided", 0.95,
     0.05, 2.9, 0.04370629371),
    ([3.1, 0.4, 2.2, 5.0, 1.7, 2.9], [1.2, 0.3, 2.5, 0.9, 1.1, 0.2, 1.4], "less", 0.90,
     -np.inf, 2.3665, None),
])
def test_permutation_interval_inverts_the_exact_test_as_r(x, y, alt, level, low, high, p):
    r = permutation_test(x, y, alternative=alt, confidence_level=level)
    assert r.ci_low == pytest.approx(low, abs=1e-3)      # the R grid's resolution
    assert r.ci_high == pytest.approx(high, abs=1e-3)
    if p is not None:
        assert r.p_value == pytest.approx(p, abs=1e-10)


@pytest.mark.parametrize("alt", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("seed", range(6))
def test_permutation_interval_agrees_with_its_test(alt, seed):
    """0 lies in the interval exactly when p >= alpha, exact and Monte Carlo."""
    rng = np.random.default_rng(seed)
    for m, n, resamples in ((5, 6, 1000), (30, 35, 999)):
        x = rng.normal(0.6 * seed / 5, 1, m).round(1)
        y = rng.normal(0, 1, n).round(1)
        for level in (0.9, 0.95):
            r = permutation_test(x, y, alternative=alt, confidence_level=level,
                                 n_resamples=resamples, seed=seed)
            inside = r.ci_low <= 0 <= r.ci_high
            assert inside == (r.p_value >= 1 - level), (m, level, r)
            assert r.ci_low <= r.estimate <= r.ci_high


def test_permutation_interval_same_on_every_path():
    rng = np.random.default_rng(3)
    xs, ys = rng.poisson(2, (40, 2)).astype(float), rng.poisson(3, (45, 2)).astype(float)
    many = permutation_test_many(xs, ys, n_resamples=500, seed=7)
    for j in range(2):
        one = permutation_test(xs[:, j], ys[:, j], n_resamples=500, seed=7)
        assert (many[j].ci_low, many[j].ci_high, many[j].p_value) == pytest.approx(
            (one.ci_low, one.ci_high, one.p_value), abs=1e-9)
    # large samples with few distinct values draw counts per value and arm: still the inversion
    x, y = rng.poisson(1.0, 2500).astype(float), rng.poisson(1.2, 2600).astype(float)
    r = permutation_test(x, y, n_resamples=10_000)
    assert "counts of each distinct value" in r.method
    assert (r.ci_low <= 0 <= r.ci_high) == (r.p_value >= 0.05)
    w = welch_t(x, y)    # the same shifts as the t interval, to Monte Carlo precision
    assert r.ci_low == pytest.approx(w.ci_low, abs=0.02)
    assert r.ci_high == pytest.approx(w.ci_high, abs=0.02)
