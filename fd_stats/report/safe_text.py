"""User text made safe for the place it goes: one function, :func:`safe_text`.

Column names, subgroup values, arm labels and data-set or file names come from uploaded
files and may hold markup that a renderer would act on: a Markdown or HTML link, a bare
URL that Markdown turns into a link, ``$...$`` that plotly and Streamlit render as maths,
plotly's own tags (``<a href>``, ``<b>``, ``<br>``), a right-to-left override that
reverses the text after it, or 5,000 characters that squeeze a chart. Every place that
shows user text passes it through :func:`safe_text` with its destination:

========== ==============================================================================
markdown   Streamlit Markdown (st.markdown, st.title, st.error...): every Markdown, HTML,
           maths and directive character backslash-escaped, bare URLs broken
plotly     plotly text (titles, tick labels, hover, annotations): ``< > & $ %`` as
           HTML entities (plotly shows them as characters and renders no tag or maths)
html       HTML text or attribute (the exported report): ``html.escape``, and ``$``
pptx       slide text (python-pptx): characters XML cannot hold removed
filename   a file-name stem: letters, digits, ``-`` and ``_`` only
plain      text shown as text (data frames, widget options): only the common steps
========== ==============================================================================

Common steps, first: bidi controls (U+202A-202E, U+2066-2069, U+200E/200F, U+061C),
zero-width characters and control characters removed, line breaks made spaces, and the
text cut to ``max_len`` characters with an ellipsis (before escaping, so no escape is cut).
"""
from __future__ import annotations

import html
import re
import unicodedata

PLACES = ("markdown", "plotly", "html", "pptx", "filename", "plain")
#: default lengths: chart labels are cut for layout; other places keep the whole text
LABEL_MAX = 40
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_DROP = {ord(c): None for c in _BIDI + _INVISIBLE}
#: the same characters as a regular expression (for whole columns, vectorised)
INVISIBLE_RE = "[" + _BIDI + _INVISIBLE + "]"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'^@%])")
# what GFM autolinks start with: "scheme:" (a run of scheme characters holding a letter,
# then a colon), "www." and "@". The scheme run is matched whole from its start (the
# lookbehind), so a long label costs one pass, not one scan per character.
_AUTOLINK = re.compile(r"(?i)(?<![a-z0-9+.-])[a-z0-9+.-]++:|www\.|@")
_LETTER = re.compile(r"(?i)[a-z]")


def _break_autolink(m: re.Match) -> str:
    s = m.group(0)
    if s.endswith(":") and not _LETTER.search(s):
        return s  # "10:" starts no scheme
    return s[:-1] + "\u200b" + s[-1]

_PLOTLY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;", "%": "&#37;"}


def _common(text, max_len: int | None) -> str:
    s = "" if text is None else str(text)
    s = s.translate(_DROP)
    # controls (Cc) become spaces: newlines would break Markdown and tables
    s = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in s)
    s = re.sub(r"\s+", " ", s).strip()
    if max_len is not None and len(s) > max_len:
        s = s[:max(1, max_len - 1)].rstrip() + "…"
    return s


def safe_text(text, place: str = "markdown", max_len: int | None = None) -> str:
    """Text that shows literally in ``place`` and acts as nothing there.

    Parameters
    ----------
    text : object
        Any value (``str()`` is taken; None gives "").
    place : {"markdown", "plotly", "html", "pptx", "filename", "plain"}
        Where the text goes (see the module docstring).
    max_len : int, optional
        Cut to this many characters (an ellipsis ends a cut text). Default: no cut,
        except ``filename`` (60).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``place`` is not one of :data:`PLACES`.
    """
    if place not in PLACES:
        raise ValueError(f"place must be one of {', '.join(PLACES)}, not {place!r}")
    if place == "filename":
        s = _common(text, None)
        s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
        s = re.sub(r"[^A-Za-z0-9_-]+", "_", s).strip("_-")[: max_len or 60].strip("_-")
        return s or "data"
    s = _common(text, max_len)
    if place == "markdown":
        # every special escaped; Streamlit's Markdown still turns "http://", "www." and
        # "a@b.c" into links after escapes are resolved, so a zero-width space breaks them
        s = _AUTOLINK.sub(_break_autolink, s)
        return _MD_SPECIAL.sub(r"\\\1", s)
    if place == "plotly":
        return "".join(_PLOTLY.get(ch, ch) for ch in s)
    if place == "html":
        return html.escape(s, quote=True).replace("$", "&#36;")  # no maths, whatever loads
    if place == "pptx":  # XML 1.0 cannot hold other controls (already spaces) or surrogates
        return "".join(ch for ch in s if not 0xD800 <= ord(ch) <= 0xDFFF)
    return s


def label(text, max_len: int = LABEL_MAX) -> str:
    """A chart label: plotly-safe and cut to ``max_len`` characters for layout."""
    return safe_text(text, "plotly", max_len)


def labels(values, max_len: int = LABEL_MAX) -> list[str]:
    """Chart labels for a list of values, kept distinct when cutting makes two alike
    (a category axis would merge them): the later ones get " (2)", " (3)"..."""
    out, seen = [], {}
    for v in values:
        s = label(v, max_len)
        if s in seen:
            seen[s] += 1
            s = f"{s} ({seen[s]})"
        else:
            seen[s] = 1
        out.append(s)
    return out


def md(text) -> str:
    """Shorthand for ``safe_text(text, "markdown")``: user text (or a sentence holding it)
    to put in Streamlit Markdown."""
    return safe_text(text, "markdown")


def md_spec(spec):
    """A copy of an outcome's specification (a dataclass with ``label`` and ``unit``, such
    as :class:`fd_stats.data.trial.OutcomeSpec`) whose label and unit are Markdown-safe, for the
    wording functions that quote them in sentences."""
    import dataclasses
    return dataclasses.replace(spec, label=md(spec.label), unit=md(spec.unit))


def md_columns(frame, columns=("label", "unit", "subgroup", "subgroup_column", "contrast",
                               "note")):
    """A copy of a results table whose user-text columns are Markdown-safe, for sentences
    built from it (the sentence's own words stay as written)."""
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c].map(lambda v: md(v) if isinstance(v, str) else v)
    return out


def md_cells(frame, columns):
    """A copy of a table whose ``columns`` (the data's text: labels, subgroup values) are
    Markdown-safe, for ``st.table``, which renders its cells as Markdown."""
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c].map(lambda v: md(v) if isinstance(v, str) else v)
    return out
