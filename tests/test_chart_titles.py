"""Chart titles drawn in Chromium (through the board pack's kaleido renderer): a title of one
to three lines, with or without a subtitle, sits wholly inside the figure, above its subtitle.

plotly 7 draws a title of several lines about 0.75 em above its "top" anchor; before
``base_layout`` allowed for it, the first line of every two-line title was cut off at the top
(the Over time page's hazard-ratio title, for one).
"""
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from dashboard.export import Chart, LAYOUT_WIDTH, render_pngs
from dashboard.figures import base_layout

LINE = "Hazard ratio 0.79 (95% CI 0.39 to 1.61): a first knife-related crime as suspect"
CASES = [(lines, sub) for lines in (1, 2, 3) for sub in (None, "Synthetic data · 95% intervals")]


def _text_bands(png: bytes, width: int):
    """(first, last) pixel rows of each band of dark pixels in the top left of the image,
    where the title and subtitle are drawn (the plot starts further right and lower)."""
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    top = img[: img.shape[0] // 2, : width // 2]
    rows = np.flatnonzero((top < 160).any(axis=1))
    bands = np.split(rows, np.flatnonzero(np.diff(rows) > 2) + 1)
    return [(int(b[0]), int(b[-1])) for b in bands if len(b)]


@pytest.fixture(scope="module")
def drawn():
    charts = []
    for lines, sub in CASES:
        fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], showlegend=False))
        # each LINE is longer than half a title line, so `lines` copies wrap to `lines` lines
        title = " ".join([LINE[:60]] * lines) if lines > 1 else "Knife crime fell by 40%"
        base_layout(fig, title, sub, height=450, legend=False)
        charts.append(Chart(key=f"t{lines}_{bool(sub)}", title=title, figure=fig))
    return charts, render_pngs(charts, width=LAYOUT_WIDTH, height=450)


@pytest.mark.parametrize("lines,sub", CASES)
def test_title_lines_all_inside_the_figure(drawn, lines, sub):
    charts, pngs = drawn
    chart = charts[CASES.index((lines, sub))]
    assert chart.figure.layout.title.text.count("<br>") == lines - 1
    bands = _text_bands(pngs[chart.key], LAYOUT_WIDTH)
    # the first title line starts below the figure's top edge (a cut-off line starts at row 0)
    assert bands[0][0] >= 4, bands
    # every title line, then the subtitle, each as its own band of text
    assert len(bands) >= lines + (1 if sub else 0), bands
    assert bands[lines - 1][1] < 40 * lines + 20, bands
