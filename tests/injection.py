"""An injection corpus: user text that would act on a page if shown unescaped (issue #19)."""
import re

import numpy as np
import pandas as pd

EVIL = "evil.example"
RLO = "\u202e"
LONG = "Long label " + "x" * 5000
#: column names, values and file names an attacker could put in a file
CORPUS = [
    f'<a href="http://{EVIL}/sub">click me</a>',
    f"[click](https:{EVIL})",
    f"see https://{EVIL}/bare and www.{EVIL}",
    r"$\frac{1}{2}$ and $x^2$",
    "<b>bold</b><img src=x onerror=alert(1)>",
    f"{RLO}desrever txet",
    ":red[coloured] **stars** `code` # heading",
    "%{x} template & <br> entity &lt;",
]
#: arm values (what treatment and control are called in the file): a link, maths, HTML and a
#: right-to-left override in one, Markdown, a bare URL and a long tail in the other; neither
#: reads as treatment or control, and control comes first, so a guess takes it for treatment:
#: a test must choose them on the Data page
ARM_TREATMENT = f'<a href="http://{EVIL}/arm">T</a> $x^2$ {RLO}mra'
ARM_CONTROL = f"[C](https:{EVIL}) www.{EVIL} :red[C] **c** $\\frac{{1}}{{2}}$ " + "y" * 150


def corpus_table(n: int = 120, seed: int = 19) -> pd.DataFrame:
    """A two-arm person-level table: every corpus entry is an outcome column name, and a
    subgroup column's values; plus a 5,000-character column name. The arm column ``arm``
    holds :data:`ARM_TREATMENT` and :data:`ARM_CONTROL`."""
    rng = np.random.default_rng(seed)
    data = {"person_id": [f"P{i:04d}" for i in range(n)],
            "arm": np.where(np.arange(n) % 2 == 0, ARM_CONTROL, ARM_TREATMENT),
            "area": [CORPUS[i % len(CORPUS)] for i in range(n)]}
    for i, name in enumerate(CORPUS[:6]):
        data[f"{name} {i}"] = rng.poisson(1.5 + 0.2 * i, n)
    data[LONG] = rng.poisson(2.0, n)
    return pd.DataFrame(data)


def leaks(text: str) -> list[str]:
    """Signs in markup that user text acted: a raw link or image tag from the corpus, or a
    right-to-left override. (Maths needs a renderer: the browser test looks for it.)"""
    out = []
    if re.search(r"<a\s+href=[\"']?https?:/*" + re.escape(EVIL), text):
        out.append("live link")
    if RLO in text:
        out.append("right-to-left override")
    if "<img src=x" in text:
        out.append("raw HTML image")
    return out
