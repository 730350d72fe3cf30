"""The board pack: slides, HTML report, PNG charts, CSV / Excel, disclosure note, CLI, page."""
import io
import zipfile
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from fd_stats import Settings, analyse
from fd_stats.data.trial import load_trial

from dashboard import export as E

DATE = "2025-01-31"
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def trial():
    return load_trial()


@pytest.fixture(scope="module")
def pack(trial):
    mapping = trial.mapping
    res = analyse(trial.table, mapping, Settings())
    return E.build_content(trial, mapping, Settings(), res, subgroup="age_group",
                           prespecified=False, generated=DATE)


@pytest.fixture(scope="module")
def files(pack):
    return E.build_files(pack)


@pytest.fixture(scope="module")
def fresh(trial):
    """Results computed independently of the pack, to compare numbers against."""
    return analyse(trial.table, trial.mapping, Settings())


def fmt_p(p):
    return "< 0.001" if p < 0.001 else (f"{p:.3f}" if p < 0.1 else f"{p:.2f}")


def numbers_of(row):
    """The figures a sentence must carry, formatted as the pack prints them."""
    lo, hi = row["percent_change_ci_low"], row["percent_change_ci_high"]
    dg = 0 if max(abs(row["mean_treatment"]), abs(row["mean_control"])) >= 10 else 2
    return [f"{row['mean_treatment']:,.{dg}f}", f"{row['mean_control']:,.{dg}f}",
            f"{abs(row['percent_change']):.0f}%",
            f"{abs(lo):.{0 if round(lo) else 1}f}% lower" if lo < 0 else f"{lo:.{0 if round(lo) else 1}f}% higher",
            f"{abs(hi):.{0 if round(hi) else 1}f}% {'lower' if hi < 0 else 'higher'}",
            f"p = {fmt_p(row['p_value'])}", "two-sided"]


def slide_texts(slide):
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]


# ---------------------------------------------------------------- slides

def test_pptx_slides_titles_pictures_and_numbers(pack, files, fresh, trial):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    prs = Presentation(io.BytesIO(files["pptx"]))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    slides = list(prs.slides)
    titles = [s.shapes.title.text for s in slides]
    heads = trial.headline_outcomes
    # title, overview, one per headline, how sure (#15), subgroups, engagement, over time
    # (#14), cost, methods, limitations, disclosure
    assert len(slides) == 1 + 1 + len(heads) + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
    assert titles[0] == pack.trial_name
    assert "SYNTHETIC DATA" in " ".join(slide_texts(slides[0]))
    assert "Data set: " + pack.dataset in " ".join(slide_texts(slides[0]))
    assert titles[1] == "What the trial found"
    for t in ("What it cost", "How the results were worked out", "What the results cannot tell us",
              "Small numbers are protected"):
        assert t in titles
    assert any(t.startswith("27 of 45 people") for t in titles)      # engagement
    assert any("(exploratory)" in t for t in titles)                 # subgroups
    allr = fresh[fresh["subgroup"] == "All"].set_index("outcome")
    for k, outcome in enumerate(heads):
        s = slides[2 + k]
        row = allr.loc[outcome]
        assert s.shapes.title.text.startswith(row["label"])
        pics = [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pics) == 1
        body = " ".join(slide_texts(s))
        for num in numbers_of(row):
            assert num in body, (outcome, num, body)
        sig = "significant at 0.05" if row["p_value"] < 0.05 else "not significant at 0.05"
        assert sig in body
    # every slide with a chart has exactly one picture; text-only slides have none
    for s in slides[1:]:
        pics = [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pics) <= 1
    methods = " ".join(slide_texts(slides[titles.index("How the results were worked out")]))
    assert "probability of seeing a difference at least this large" in methods
    assert "intention to treat" in methods and "Welch" in methods and "alpha = 0.05" in methods
    lim = " ".join(slide_texts(slides[titles.index("What the results cannot tell us")]))
    assert "exploratory" in lim and "10 outcomes" in lim and "45 people" in lim
    # wording rules: never the wrong reading of a p-value
    everything = " ".join(t for s in slides for t in slide_texts(s)).lower()
    assert "due to chance" not in everything.replace("not the probability that the finding is due to chance", "")


def test_sentences_match_results_table(pack, files, fresh):
    """Every number in a headline sentence is in the exported results table (same source)."""
    table = pd.read_csv(io.BytesIO(files["csv"]), encoding="utf-8-sig")
    for f in pack.findings:
        r = table[(table["outcome"] == f.outcome) & (table["subgroup"] == "All")].iloc[0]
        row = fresh[(fresh["outcome"] == f.outcome) & (fresh["subgroup"] == "All")].iloc[0]
        # the files round to 6 significant digits
        assert float(r["mean_treatment"]) == pytest.approx(row["mean_treatment"], rel=5e-6)
        assert float(r["p_value"]) == pytest.approx(row["p_value"], rel=5e-6)
        for num in numbers_of(r.astype(object).where(r.notna(), np.nan).to_dict()
                              | {k: float(r[k]) for k in ("mean_treatment", "mean_control",
                                                          "percent_change", "percent_change_ci_low",
                                                          "percent_change_ci_high", "p_value")}):
            assert num in f.sentence, (num, f.sentence)


# ---------------------------------------------------------------- images

def test_images_zip_one_png_per_chart_at_presentation_size(pack, files):
    from PIL import Image
    z = zipfile.ZipFile(io.BytesIO(files["zip"]))
    names = z.namelist()
    assert names == [f"{c.key}.png" for c in pack.charts]
    for n in names:
        im = Image.open(io.BytesIO(z.read(n)))
        assert im.format == "PNG" and im.size == (1600, 900)


def test_export_figures_use_explicit_template(pack):
    for c in pack.charts:
        fig = E.export_figure(c.figure)
        assert fig.layout.template.layout.paper_bgcolor in ("white", "#fff", "#ffffff", "rgb(255,255,255)")
        assert fig.layout.font.size >= 14


# ---------------------------------------------------------------- HTML

class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "data-src", "srcset", "poster") and v is not None:
                self.refs.append((tag, k, v))


def test_html_is_self_contained(pack, files, fresh):
    text = files["html"].decode("utf-8")
    p = _Refs()
    p.feed(text)
    for tag, attr, v in p.refs:
        assert v.startswith("#") or v.startswith("data:"), (tag, attr, v)
    assert "link" not in p.tags                         # no external style sheet
    assert "@import" not in text and "url(http" not in text
    # (plotly.js itself mentions cdn.plot.ly for geo maps only; no tag loads anything)
    assert "MathJax.js" not in text and "cdnjs" not in text
    assert text.count("<script") >= len(pack.charts)
    # plotly.js embedded exactly once
    assert text.count("Plotly.newPlot") == len(pack.charts)
    assert text.count("plotly.js v") == 1 or text.count("* plotly.js") == 1
    assert "break-inside:avoid" in text                 # print CSS
    # same content: sentences, synthetic label, the full results table
    for f in pack.findings:
        assert E.html.escape(f.sentence) in text
    assert "Synthetic data" in text
    assert "Full results table" in text and text.count("<tr>") >= len(fresh)


# ---------------------------------------------------------------- tables

def test_csv_is_a_plain_table_with_its_settings_beside_it(files, pack):
    """pandas.read_csv reads results.csv as it is (before, a settings block came first and
    reading failed at line 19); the settings are in results_settings.csv."""
    table = pd.read_csv(io.BytesIO(files["csv"]), encoding="utf-8-sig")
    assert table.columns[0] == "outcome" and "subgroup" in table.columns
    assert len(table) == len(pack.results)
    assert (table.astype(str) == "[c]").to_numpy().any()
    block = pd.read_csv(io.BytesIO(files["csv_settings"]),
                        encoding="utf-8-sig").set_index("setting")["value"]
    assert block["Test"] == "Welch t-test"
    assert block["Sidedness"] == "two-sided"
    assert block["Significance threshold (alpha)"] == "0.05"
    assert block["Multiple-comparison correction"] == "no correction"
    assert block["Confidence level"] == "95%"
    assert block["Generated"] == DATE
    assert block["Synthetic data"].startswith("yes")
    assert block["Data set"] == pack.dataset
    assert block["File"].startswith("settings behind results.csv")


def test_xlsx_opens_with_settings_and_escaped_formulas(trial):
    from openpyxl import load_workbook
    res = analyse(trial.table, trial.mapping, Settings(alternative="less", correction="holm"))
    res.loc[0, "label"] = "=HYPERLINK(\"http://x\")"
    pack = E.build_content(trial, trial.mapping, Settings(alternative="less", correction="holm"),
                           res, generated=DATE, options=E.PackOptions(disclosure=False))
    wb = load_workbook(io.BytesIO(E.xlsx_bytes(pack)))
    assert wb.sheetnames == ["Results", "Settings", "Readable", "Hidden cells"]
    ws = wb["Settings"]
    settings = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 20)}
    assert settings["Sidedness"] == "one-sided (treatment lower)"
    assert settings["Multiple-comparison correction"] == "Holm"
    assert settings["Disclosure control"] == "off"
    ws = wb["Results"]
    cells = [c for sheet in wb for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    # formula-like text is stored as text with Excel's hidden quote prefix, never a visible '
    hyper = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hyper and all(c.value.startswith("=HYPERLINK") and c.quotePrefix for c in hyper)
    readable = [c.value for row in wb["Readable"].iter_rows(min_row=2) for c in row]
    assert any(isinstance(v, str) and v.startswith("-") for v in readable)
    assert not any(isinstance(v, str) and v.startswith("'") for v in readable)
    header_row = 1
    assert ws.cell(1, 1).value == "outcome"
    assert ws.cell(header_row + 1, 1).value == res.loc[0, "outcome"]
    cols = [ws.cell(header_row, c).value for c in range(1, ws.max_column + 1)]
    p_col = cols.index("p_value") + 1
    assert ws.cell(header_row + 1, p_col).value == pytest.approx(res.loc[0, "p_value"], rel=5e-6)


# ---------------------------------------------------------------- disclosure in the pack

def test_disclosure_on_by_default_and_noted(pack, files):
    assert pack.options.disclosure and pack.options.threshold == 10
    assert pack.suppressed
    assert any("Small numbers are protected" in n for n in pack.disclosure_notes)
    text = files["html"].decode("utf-8")
    assert "Rows of the results table with hidden cells" in text
    # the engagement split 17/3 and 10/15 must not appear once protected
    eng = pack.engagement.set_index("group")
    assert np.isnan(eng.at["11-17", "not_engaged"]) and np.isnan(eng.at["11-17", "engaged"])
    assert eng.at["All", "engaged"] == 27


def test_disclosure_off_shows_everything(trial, fresh):
    pack = E.build_content(trial, trial.mapping, Settings(), fresh, subgroup="age_group",
                           options=E.PackOptions(disclosure=False), generated=DATE)
    assert pack.protected is None and not pack.suppressed
    assert "[c]" not in E.csv_bytes(pack).decode("utf-8-sig")


def test_everything_hidden_still_builds(trial, fresh):
    """A threshold above every group size hides every comparison without failing."""
    from pptx import Presentation
    pack = E.build_content(trial, trial.mapping, Settings(), fresh, generated=DATE,
                           options=E.PackOptions(threshold=1000, images=False))
    assert all(f.hidden for f in pack.findings)
    prs = Presentation(io.BytesIO(E.pptx_bytes(pack, {})))
    assert len(prs.slides) >= 5
    assert "hidden by disclosure control" in E.html_bytes(pack).decode()


# ---------------------------------------------------------------- CLI and page

def test_pack_cli(tmp_path):
    from dashboard.pack_cli import main
    out = tmp_path / "pack"
    assert main(["bundled", "--out", str(out), "--formats", "csv,xlsx,html",
                 "--alternative", "less", "--threshold", "5", "--date", DATE]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["board_report.html", "results.csv",
                                                     "results.xlsx", "results_settings.csv"]
    assert "one-sided (treatment lower)" in (out / "results_settings.csv").read_text(
        encoding="utf-8-sig")
    assert pd.read_csv(out / "results.csv").columns[0] == "outcome"
    assert main(["missing.csv", "--out", str(out)]) == 2
    assert main(["bundled", "--out", str(out), "--formats", "doc"]) == 2


def test_export_page_builds_and_offers_downloads():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "pages" / "9_Export.py"), default_timeout=180).run()
    assert not at.exception
    assert any("Synthetic data" in w.value for w in at.warning)
    at.button(key="export_build").click().run()
    assert not at.exception
    assert not at.error
    assert len(at.get("download_button")) == 6  # the CSV and, beside it, its settings
    at.checkbox(key="export_disclosure").uncheck().run()
    assert not at.exception
    assert any("Small counts will be shown" in w.value for w in at.warning)


# ---------------------------------------------------------------- wording for uploaded data sets

def test_chance_of_a_false_positive_is_worded_for_a_board():
    # P(at least one of k independent tests significant at alpha | no effect) = 1 - (1 - alpha)^k:
    # k = 3, alpha = 0.05 gives 0.142625 (hand arithmetic), about 1 in 7
    assert E.chance_words(0.05, 3) == "about 1 in 7"
    assert E.chance_words(0.05, 10) == "about 40%"     # 1 - 0.95**10 = 0.4013


def test_files_round_to_six_significant_digits():
    frame = pd.DataFrame({"p": [0.018428565079837936, np.nan, np.inf], "label": ["a", "b", "c"],
                          "mixed": [1234567.891, "[c]", 0.0]})
    out = E.round_significant(frame)
    assert out["p"].iloc[0] == 0.0184286 and np.isnan(out["p"].iloc[1]) and np.isinf(out["p"].iloc[2])
    assert out["mixed"].tolist() == [1234570.0, "[c]", 0.0]
    assert out["label"].tolist() == ["a", "b", "c"]


def test_no_empty_engagement_section_without_engagement_or_cost(trial):
    import dataclasses
    mapping = dataclasses.replace(trial.mapping, engagement=None)
    bare = dataclasses.replace(trial, mapping=mapping,
                               meta={k: v for k, v in trial.meta.items() if k != "cost"})
    res = analyse(bare.table, mapping, Settings())
    pack = E.build_content(bare, mapping, Settings(), res, generated=DATE)
    assert pack.engagement is None and not pack.cost_lines
    page = E.html_bytes(pack).decode()
    assert "Engagement and cost" not in page and "id='engagement'" not in page
    lim = " ".join(pack.limitations)
    assert "about 40%" in lim and "0.5 of 10" not in lim


def test_sentences_round_means_and_give_units(pack):
    f = pack.findings[0]
    r = f.row
    assert f"{r['mean_treatment']:.0f} per person with the programme vs {r['mean_control']:.0f} without" \
        in f.sentence
    assert "crime harm in days" in f.sentence


def test_over_time_slide(trial, fresh):
    """One slide: the hazard ratio sentence (with interval and sidedness) and the synthetic-
    dates warning; the survival chart only when small-number protection is off (its steps
    are single people)."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from dashboard.over_time import load_bundled_extract, over_time_view
    from fd_stats.data.trial import BUNDLED_TRIAL

    view = over_time_view(load_bundled_extract(BUNDLED_TRIAL, trial.meta), "suspect", "knife")
    for disclosure in (True, False):
        pack = E.build_content(trial, trial.mapping, Settings(), fresh, generated=DATE,
                               options=E.PackOptions(disclosure=disclosure))
        prs = Presentation(io.BytesIO(E.pptx_bytes(pack, E.render_pngs(pack.charts)
                                                   if not disclosure else {})))
        s = next(s for s in prs.slides
                 if s.shapes.title.text == "Time to a first knife-related crime as suspect")
        body = " ".join(slide_texts(s))
        assert view.sentences["hazard"] in body and "(two-sided)" in body
        assert "Synthetic dates" in body
        pics = [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pics) == (0 if disclosure else 1)


def test_excel_results_sheet_reads_as_a_table(pack):
    table = pd.read_excel(io.BytesIO(E.xlsx_bytes(pack)), sheet_name="Results")
    assert table.columns[0] == "outcome" and "subgroup" in table.columns and len(table) == len(pack.results)
