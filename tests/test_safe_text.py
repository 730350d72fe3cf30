"""User text is made safe for each place it goes (issue #19), and every export uses it."""
import io
import re
import zipfile

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import dashboard.export as E
from dashboard.figures import forest_plot, means_plot, pvalue_chart
from dashboard.upload import dataset_name, handle_upload
from fd_stats import analyse
from fd_stats.analysis import Settings
from fd_stats.errors import DataError
from fd_stats.data.mapping import build_trial, guess_mapping
from fd_stats.report.safe_text import (_AUTOLINK, PLACES, _break_autolink, label, labels, md,
                                 safe_text)
from injection import CORPUS, EVIL, LONG, RLO, corpus_table, leaks

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- the function

@pytest.mark.parametrize("text", CORPUS + [LONG])
@pytest.mark.parametrize("place", PLACES)
def test_no_place_keeps_markup_or_overrides(text, place):
    out = safe_text(text, place)
    assert RLO not in out and "\n" not in out
    if place in ("plotly", "html"):
        assert "<" not in out and ">" not in out and "$" not in out.replace("&#36;", "")
    if place == "markdown":  # every special character escaped
        assert not re.search(r"(?<!\\)[\[\]<>$`*_:]", out), out
        assert "https://" not in out and "www." not in out
    if place == "filename":
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,60}", out), out


def test_plotly_text_shows_the_characters():
    assert safe_text("<b>a</b> & $x$ 50%{y}", "plotly") == \
        "&lt;b&gt;a&lt;/b&gt; &amp; &#36;x&#36; 50&#37;{y}"


def test_markdown_escapes_render_as_the_text():
    assert md("[a](b) $x$") == r"\[a\]\(b\) \$x\$"
    assert md(None) == ""


def test_long_labels_are_cut_and_distinct():
    assert len(label(LONG)) == 40 and label(LONG).endswith("…")
    assert labels(["x" * 80, "x" * 81, "short"]) == [label("x" * 80), label("x" * 80) + " (2)",
                                                    "short"]


_OLD_AUTOLINK = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*:|www\\.|@)")  # quadratic on long runs


@settings(max_examples=400)
@given(st.text(alphabet="aZx9.+-:w@ /h", max_size=40))
def test_autolink_breaking_is_the_simple_rule(text):
    # the linear pattern breaks exactly what the plain one did: "scheme:", "www." and "@"
    expected = _OLD_AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\u200b" + m.group(0)[-1], text)
    assert _AUTOLINK.sub(_break_autolink, text) == expected


def test_bidi_and_invisible_characters_go():
    assert safe_text("a\u202eb\u2066c\u200bd\u200fe\ufeff", "plain") == "abcde"
    assert safe_text("a\r\nb\tc", "plain") == "a b c"


def test_unknown_place_is_an_error():
    with pytest.raises(ValueError, match="place must be one of"):
        safe_text("x", "latex")


# ---------------------------------------------------------------- names from files

def test_dataset_name_keeps_brackets_and_drops_only_a_real_extension():
    assert dataset_name("big2m_randomisation (built from big2m_crimes.csv)") == \
        "big2m_randomisation (built from big2m_crimes.csv) (uploaded)"
    assert dataset_name("people.CSV") == "people (uploaded)"
    assert dataset_name("v1.2 extract.parquet") == "v1.2 extract (uploaded)"
    assert dataset_name(f"{RLO}evil.csv") == "evil (uploaded)"
    assert len(dataset_name("y" * 500 + ".csv")) <= 60 + len(" (uploaded)")


def test_parquet_binary_column_is_left_out_with_a_note():
    t = pa.table({"arm": ["treatment", "control"] * 3, "y": [1, 2, 3, 4, 5, 6],
                  "blob": pa.array([b"\xff\xfe\x00", b"\x80abc"] * 3, pa.binary()),
                  "fixed": pa.array([b"ab"] * 6, pa.binary(2))})
    buf = io.BytesIO()
    pq.write_table(t, buf)
    u = handle_upload(buf.getvalue(), "x.parquet")
    assert list(u.table.columns) == ["arm", "y"]
    assert "blob, fixed" in u.notes[0] and "left out" in u.notes[0]
    only = io.BytesIO()
    pq.write_table(pa.table({"b": pa.array([b"\xff"], pa.binary())}), only)
    with pytest.raises(Exception, match="binary data"):
        handle_upload(only.getvalue(), "b.parquet")


def _parquet(path, **columns):
    pq.write_table(pa.table(columns), path)
    return str(path)


def test_command_line_leaves_binary_columns_out_with_a_note(tmp_path, capsys):
    # the same reader as the upload (fd_stats.data.io.read_parquet_bytes): the CLI once stopped at
    # "unexpected problem (UnicodeDecodeError ...)"
    from fd_stats.cli.main import main

    path = _parquet(tmp_path / "b.parquet", arm=["treatment", "control"] * 20,
                    y=[i % 5 for i in range(40)],
                    blob=pa.array([b"\xff\x00"] * 40, pa.binary()))
    for argv in (["integrity", path, "--outcome", "y"],
                 ["analyse", path, "--method", "cox", "--time", "y", "--event", "y"]):
        main(argv)
        err = capsys.readouterr().err
        assert "UnicodeDecodeError" not in err and "unexpected" not in err, err
        assert ("note: 1 column(s) of b.parquet hold binary data (bytes, not text or numbers) "
                "and were left out: blob.") in err
    only = _parquet(tmp_path / "only.parquet", blob=pa.array([b"\xff"] * 4, pa.binary()))
    assert main(["integrity", only, "--outcome", "y"]) == 2
    assert "only.parquet: every column holds binary data (blob)" in capsys.readouterr().err


def test_reader_leaves_binary_columns_out_of_chosen_columns_too(tmp_path):
    from fd_stats.data.io import read_table, table_notes

    path = _parquet(tmp_path / "c.parquet", arm=["t", "c"], y=[1, 2],
                    blob=pa.array([b"\xff", b"\x80"], pa.large_binary()))
    t = read_table(path, columns=["arm", "blob"], categorical=True)
    assert list(t.columns) == ["arm"]
    assert table_notes(t) == ["1 column(s) of c.parquet hold binary data (bytes, not text or "
                              "numbers) and were left out: blob."]
    assert "notes" not in t.attrs  # taken off: attrs would travel into derived tables
    with pytest.raises(DataError, match="every column holds binary data"):
        read_table(path, columns=["blob"])
    assert table_notes(read_table(path, columns=["arm", "y"])) == []


# ---------------------------------------------------------------- figures and exports

@pytest.fixture(scope="module")
def corpus_trial():
    table = corpus_table()
    mapping = guess_mapping(table)
    return build_trial(table, mapping, dataset_name(f"[click](https:{EVIL}).csv"))


@pytest.fixture(scope="module")
def corpus_results(corpus_trial):
    return analyse(corpus_trial.table, corpus_trial.mapping, Settings())


def _texts(fig) -> str:
    return fig.to_json()


def test_figures_escape_labels_titles_and_categories(corpus_results):
    res = corpus_results[corpus_results["subgroup"] == "All"]
    assert len(res) >= 5
    for fig in (forest_plot(res, title=f"Title {CORPUS[0]}", subtitle=CORPUS[3]),
                pvalue_chart(res, alpha=0.05, title=CORPUS[1])):
        js = _texts(fig)
        assert "<a href" not in js and "$\\\\frac" not in js and RLO not in js
        assert "\\u202e" not in js.lower()
        assert "x" * 100 not in js  # the 5,000-character label is cut
        assert "&lt;a href" in js  # shown as text


def test_html_report_and_slides_hold_no_markup_from_data(corpus_trial, corpus_results):
    pack = E.build_content(corpus_trial, corpus_trial.mapping, Settings(), corpus_results,
                           options=E.PackOptions(disclosure=False))
    html = E.html_bytes(pack, {}).decode("utf-8")
    assert leaks(html) == [], leaks(html)
    assert f"&lt;a href=&quot;http://{EVIL}" in html or f"&lt;a href=" in html
    pptx = E.pptx_bytes(pack, {})
    with zipfile.ZipFile(io.BytesIO(pptx)) as z:
        xml = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                      if n.endswith(".xml"))
    assert RLO not in xml and "x" * 2000 not in xml
    files = E.build_files(pack, formats=("csv", "xlsx"))
    assert files["csv"] and files["xlsx"]


# ---------------------------------------------------------------- Published results uploads

PUBLISHED = ROOT / "pages" / "6_Published_results.py"
GOOD = b"outcome,t,df,p\nKnife,-2.1,40,0.04\nViolence,-1.0,38,0.32\n"


def _published(at, name=None, raw=None):
    if name is None:
        at.file_uploader(key="published_file").set_value(None).run()
    else:
        at.file_uploader(key="published_file").set_value((name, raw, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_published_bad_upload_keeps_the_good_one_and_its_error_goes_with_it():
    at = AppTest.from_file(str(PUBLISHED), default_timeout=90).run()
    radio = next(r for r in at.radio if any("upload" in str(o).lower() for o in r.options))
    radio.set_value(next(o for o in radio.options if "upload" in str(o).lower())).run()
    _published(at, "good.csv", GOOD)
    assert not at.error
    _published(at, f"[click](https:{EVIL}).csv", b"\x00\x01 not a table")
    errors = " ".join(e.value for e in at.error)
    # the reader's own message, naming the file as text (escaped: no link)
    assert "this looks like a binary file" in errors.replace("\\", "")
    assert f"[click](https\u200b:{EVIL}).csv" in errors.replace("\\", "")
    assert "](https" not in errors
    assert "still showing good.csv" in " ".join(i.value for i in at.info).replace("\\", "")
    assert at.session_state["published_upload"][0] == "good.csv"
    _published(at)  # the bad file removed: its error goes
    assert not at.error
    assert at.session_state["published_upload"][0] == "good.csv"


def test_published_rows_named_by_the_file_show_as_text():
    # row names and printed values are the file's text: they reach the summary sentences
    # (one-sided example, verdict changes) and both st.table views, which render Markdown
    raw = (f"outcome,t,df,p\n[click](https://{EVIL}),-2.1,40,0.021\n"
           "$x^2$ and <b>b</b>,-1.0,38,0.32\n").encode()
    at = AppTest.from_file(str(PUBLISHED), default_timeout=90).run()
    radio = next(r for r in at.radio if any("upload" in str(o).lower() for o in r.options))
    radio.set_value(next(o for o in radio.options if "upload" in str(o).lower())).run()
    _published(at, "rows.csv", raw)
    assert not at.error
    texts = [m.value for m in at.markdown]
    assert any("click" in t for t in texts)  # the one-sided example quotes the row
    for t in texts:
        assert "](https" not in t and "<b>" not in t
        assert "$x" not in t.replace("\\$x", "")
    cells = [str(v) for tb in at.table for v in tb.value.reset_index().to_numpy().ravel()]
    assert any("click" in c for c in cells)
    assert not any("](https" in c or "<b>" in c or "$x" in c.replace("\\$x", "") for c in cells)


def test_uploads_lose_direction_controls_with_a_note():
    table = corpus_table()
    raw = table.to_csv(index=False).encode()
    assert RLO.encode() in raw
    u = handle_upload(raw, "corpus.csv")
    assert not any(RLO in c for c in u.table.columns)
    assert not u.table["area"].astype(str).str.contains(RLO).any()
    assert "direction-control characters were removed from 1 column name(s)" in u.notes[0]
    assert len(u.table.columns) == len(table.columns)


def test_consort_boxes_show_arm_labels_as_text():
    from dashboard.figures_programme import consort_figure
    from fd_stats.programme.consort import consort_flow

    table = corpus_table()
    trial = build_trial(table, guess_mapping(table), "corpus (uploaded)")
    flow = consort_flow(trial.table, trial.mapping)
    fig = consort_figure(flow, treatment_label=CORPUS[0], control_label=CORPUS[3],
                         title="Flow")
    js = fig.to_json()
    assert "<a href" not in js and "&lt;a href" in js and "&#36;" in js


def _unescaped(text: str) -> list[str]:
    """Markup from the corpus that Streamlit Markdown would act on (escaped forms removed)."""
    bare = text.replace("\\$", "").replace("\\[", "").replace("\\<", "")
    return [m for m in ("$", "](https", "<b>", "<a href") if m in bare]


def test_thresholds_sentences_and_lists_show_labels_as_text(corpus_trial):
    # the "depends on the choice" sentences and the always/never lists quote outcome labels
    # (CI once rendered the corpus's maths there in Chromium)
    at = AppTest.from_file(str(ROOT / "pages" / "3_Thresholds.py"), default_timeout=300)
    at.session_state["datasets"] = {corpus_trial.name: corpus_trial}
    at.session_state["cfg_dataset"] = corpus_trial.name
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any("frac" in t for t in texts)  # a corpus label is quoted in a sentence or list
    bad = {t[:80]: _unescaped(t) for t in texts if _unescaped(t)}
    assert not bad


# ---------------------------------------------------------------- engine messages on pages

DISPLAY = {"markdown", "write", "caption", "info", "warning", "error", "success", "subheader",
           "header", "title", "toast", "metric", "expander"}
SAFE_CALLS = {"md", "md_escape", "safe_text", "show_data_error"}


def _unescaped_exceptions(path) -> list[str]:
    """Display calls (st.error(...) and the like) whose text holds an exception caught in the
    same file without md()/md_escape() around it: engine messages quote column names and arm
    values, the data's own text."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    caught = {h.name for h in ast.walk(tree) if isinstance(h, ast.ExceptHandler) and h.name}
    out = []

    def walk(node, safe):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            safe = safe or name in SAFE_CALLS
        if isinstance(node, ast.Name) and node.id in caught and not safe:
            out.append(f"{path.name}:{node.lineno}")
        for child in ast.iter_child_nodes(node):
            walk(child, safe)

    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in DISPLAY and node.args):
            walk(node.args[0], False)
    return out


def test_engine_messages_shown_on_pages_are_escaped():
    files = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"] + sorted(
        (ROOT / "dashboard").glob("*.py"))
    bad = [hit for f in files for hit in _unescaped_exceptions(f)]
    assert not bad, f"an exception's message shown without md(): {bad}"


def test_how_sure_cut_off_error_shows_the_typed_text_as_text():
    # the error quotes what was typed (float() of it failed): no maths, no link
    at = AppTest.from_file(str(ROOT / "pages" / "11_How_sure.py"), default_timeout=300).run()
    at.text_input(key="hs_mdes").set_value(f"$x^2$ [a](https://{EVIL})").run()
    next(b for b in at.button if b.label == "Apply").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Cut-offs not applied" in e and "x^2" in e.replace("\\", "") for e in errors), errors
    assert not [e for e in errors if _unescaped(e)], errors


def _overview_panel_app(trial):
    from dashboard.how_sure import overview_panel
    from dashboard.state import Context
    from fd_stats.analysis import Settings

    overview_panel(Context(trial, trial.mapping, Settings(), None, False))


def test_overview_panel_error_names_the_arms_as_text():
    # an integrity check that cannot run says why, quoting the arm values (the data's text)
    from dataclasses import replace

    from injection import ARM_CONTROL

    table = corpus_table()
    trial = build_trial(table, guess_mapping(table), "corpus (uploaded)")
    trial.mapping = replace(trial.mapping, treatment=f"[T](https://{EVIL}) $x^2$",
                            control=ARM_CONTROL)
    at = AppTest.from_function(_overview_panel_app, args=(trial,), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [c.value for c in at.caption]
    assert any("could not run" in t and "x^2" in t.replace("\\", "") for t in texts), texts
    assert not [t for t in texts if _unescaped(t)], texts


# ---------------------------------------------------------------- trial.toml text

TOML_EVIL = f"[toml](https://{EVIL}) $x^2$ <b>b</b>"


@pytest.fixture(scope="module")
def evil_meta_trial():
    """The bundled trial with every free-text field of its trial.toml that a page shows
    replaced by markup (a user may load their own trial.toml)."""
    import copy

    from fd_stats.data.trial import load_trial

    trial = copy.deepcopy(load_trial())
    trial.name = "toml test"
    m = trial.meta
    m["trial"]["design"] = TOML_EVIL
    m["trial"]["citation"]["text"] = TOML_EVIL
    for g in m.get("subgroups", []):
        g["note"] = TOML_EVIL
    m["engagement"]["note"] = TOML_EVIL
    for item in m["cost"].values():
        if isinstance(item, dict):
            item.update(source=TOML_EVIL, note=TOML_EVIL)
    m.setdefault("unit_costs_of_crime", {})["note"] = TOML_EVIL
    m.setdefault("harm_index", {})["name"] = TOML_EVIL
    m["design"]["allocation_ratio"]["note"] = TOML_EVIL
    return trial


@pytest.mark.parametrize("page", ["app.py", "pages/2_Subgroups.py", "pages/4_Engagement.py",
                                  "pages/5_Cost.py", "pages/11_How_sure.py"])
def test_trial_toml_text_shows_as_text(evil_meta_trial, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    at.session_state["datasets"] = {evil_meta_trial.name: evil_meta_trial}
    at.session_state["cfg_dataset"] = evil_meta_trial.name
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [str(e.value) for kind in ("markdown", "caption", "info", "warning", "error",
                                       "success", "title", "header", "subheader")
             for e in getattr(at, kind)]
    shown = [t for t in texts if "toml" in t]
    assert shown, f"{page}: no trial.toml text found (the test would prove nothing)"
    bad = {t[:100]: _unescaped(t) for t in shown if _unescaped(t)}
    assert not bad, bad


# ---------------------------------------------------------------- every page, every element

MARKUP_UNIT = f"$u$ www.{EVIL}"
COV = f"[cov](https://{EVIL}) $c$"
BASE = f"<b>base</b> $b$"
ENG = f"engaged [e](https://{EVIL}) $e$"


@pytest.fixture(scope="module")
def corpus_everywhere_trial():
    """The corpus where the browser test's guessed mapping does not put it: chosen arm
    values, outcome units, a two-level subgroup (its levels are named in the comparison),
    a covariate, a baseline and the engagement column named with markup, directions set and
    a crime programme (so the Cost page words improvements and caseloads by cohort)."""
    from fd_stats.data.mapping import ColumnMapping, OutcomeSpec
    from injection import ARM_CONTROL, ARM_TREATMENT

    table = corpus_table()
    n = len(table)
    table["pair"] = [CORPUS[3] if i % 3 else CORPUS[2] for i in range(n)]
    table[COV] = [i % 4 for i in range(n)]
    outcomes = [c for c in table.columns if c not in ("person_id", "arm", "area", "pair", COV)]
    table[BASE] = table[outcomes[0]] + [i % 2 for i in range(n)]
    table[ENG] = [(i // 2) % 2 if a == ARM_TREATMENT else None
                  for i, a in enumerate(table["arm"])]
    specs = [OutcomeSpec(c, c, MARKUP_UNIT, "lower", "count", True,
                         BASE if i == 0 else None) for i, c in enumerate(outcomes)]
    cm = ColumnMapping("arm", ARM_TREATMENT, ARM_CONTROL, specs, "person_id", ["pair", "area"],
                       ENG, [COV], crime_programme=True)
    return build_trial(table, cm, f"[click](https:{EVIL}) (uploaded)")


def _page_texts(at) -> list[str]:
    """Every piece of text the page renders as Markdown (and table cells)."""
    out = [str(e.value) for kind in ("markdown", "caption", "info", "warning", "error",
                                     "success", "title", "header", "subheader")
           for e in getattr(at, kind)]
    for kind in ("metric", "tabs", "expander", "radio", "selectbox", "multiselect", "checkbox",
                 "number_input", "text_input", "button", "slider", "select_slider"):
        out += [str(getattr(e, "label", "")) for e in getattr(at, kind)]
    out += [str(o) for r in at.radio for o in r.options]  # radio options render Markdown
    for tb in at.table:
        v = tb.value
        out += [str(x) for x in v.reset_index().to_numpy().ravel()]
        out += [str(c) for c in v.reset_index().columns]
    return out


def _acts(text: str) -> list[str]:
    # code spans are the page's own (md() escapes every backtick of the data's text)
    text = re.sub(r"(?<!\\)`[^`]*(?<!\\)`", "", text)
    bad = _unescaped(text)
    if f"://{EVIL}" in text or f"www.{EVIL}" in text:
        bad.append("bare URL")
    return bad


@pytest.mark.parametrize("page", ["app.py", *sorted(
    f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")
    if not p.name.startswith(("8_", "10_", "6_")))])  # Data, Over time, Published: own tests
def test_every_page_shows_the_corpus_as_text(corpus_everywhere_trial, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=600)
    at.session_state["datasets"] = {corpus_everywhere_trial.name: corpus_everywhere_trial}
    at.session_state["cfg_dataset"] = corpus_everywhere_trial.name
    at.session_state["cfg_subgroup"] = "pair"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    bad = {t[:120]: _acts(t) for t in _page_texts(at) if _acts(t)}
    assert not bad, bad



def test_programme_figures_show_cohorts_reasons_units_and_row_names_as_text():
    # category axes and titles of the Engagement, Published results and ITT/CACE charts
    # carry the data's text (cohort values, reasons, units, the uploaded table's row names)
    from types import SimpleNamespace

    from dashboard.figures_programme import (audit_figure, engagement_figure, itt_cace_figure,
                                             reasons_figure)

    rates = pd.DataFrame({"group": ["All", CORPUS[0], CORPUS[3]], "engaged": [5, 2, 3],
                          "known": [9, 4, 5], "rate": [5 / 9, .5, .6], "ci_low": [.2, .1, .2],
                          "ci_high": [.8, .9, .9], "confidence_level": .95})
    reasons = pd.DataFrame({"group": [CORPUS[0], CORPUS[3]], "reason": [CORPUS[1], CORPUS[4]],
                            "count": [1, 2]})
    effect = SimpleNamespace(itt=-.2, itt_ci_low=-.5, itt_ci_high=.1, cace=-.4,
                             cace_ci_low=-.9, cace_ci_high=.1, confidence_level=.95)
    rows = pd.DataFrame({"label": [CORPUS[0], CORPUS[3]], "p_reported": [.04, .3],
                         "p_two_sided": [.04, .3], "p_one_sided": [.02, .15],
                         "sidedness": ["two", "two"]})
    for fig in (engagement_figure(rates, title="t"), reasons_figure(reasons, title="t"),
                itt_cace_figure(effect, unit=CORPUS[3], title="t"),
                audit_figure(rows, alpha=.05, title="t")):
        js = fig.to_json()
        assert leaks(js) == [] and "<b>bold" not in js, leaks(js)
        assert "$x^2$" not in js and "&#36;" in js  # maths shown as text
