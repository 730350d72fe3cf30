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


def corpus_table(n: int = 120, seed: int = 19) -> pd.DataFrame:
    """A two-arm person-level table: every corpus entry is an outcome column name, and a
    subgroup column's values; plus a 5,000-character column name."""
    rng = np.random.default_rng(seed)
    data = {"person_id": [f"P{i:04d}" for i in range(n)],
            "arm": np.where(np.arange(n) % 2 == 0, "treatment", "control"),
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
