#!/usr/bin/env python3
"""Build the bundled SYNTHETIC person-level data set for the Focused Deterrence trial.

Nothing written here describes a real person.  The 131 rows are reconstructed
from the aggregates published in

    Olphin, T., Bottomley, S., Webb, A. & Stock, M. (2024) What Works Series:
    Focused Deterrence 12 Month Findings, Thames Valley Violence Prevention
    Partnership ("the Report")

and from the inferences recorded in shared/DOMAIN.md.  The rows reproduce, at
the printed precision, every mean, Welch t and df in the Report's Appendix B
(all ages and under 18); everything else about them (who has which count, the
shape of the harm distribution, who engaged) is invented by a seeded random
search.

Run:  .venv/bin/python data/focused_deterrence/build.py
Writes, next to this file: people.csv, people.parquet, appendix_b.csv,
trial.toml, README.md.  Deterministic: two runs give byte-identical files.
Dependencies: numpy (generation), pyarrow (parquet); standard library otherwise.
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

OUT = Path(__file__).resolve().parent
SEED = 20230201  # fixed; delivery began February 2023

# ---------------------------------------------------------------------------
# Published figures (constants).  Every figure names where it comes from.
# ---------------------------------------------------------------------------

ARMS = ("treatment", "control")
AGES = ("11-17", "18-25")

# Group sizes.
# Treatment 45 = 20 (11-17) + 25 (18-25): Report, 'What are we testing?' and
# 'Cohort and Trial Methodology' (caseloads 20 and 25).
# Control 86 = 50 (11-17) + 36 (18-25): DOMAIN.md inference from Appendix B
# (the Report never gives the control size; these are the only sizes for which
# every published mean, t and df can come from whole-number data).
N = {
    ("treatment", "11-17"): 20,
    ("treatment", "18-25"): 25,
    ("control", "11-17"): 50,
    ("control", "18-25"): 36,
}

# Engagement, treatment arm only.  Report, 'Key Findings Summary / Engagement',
# 'Sub-group analysis' and 'What does this mean?': 17 of 20 aged 11-17 and
# 10 of 25 aged 18-25 engaged.  Reasons for the 18-25 non-engagers: Report,
# 'What does this mean?' (2 secure estate, 1 withdrawn for mental-health
# suitability, 1 wanted by police, 7 uncontactable); the other 4 are not
# explained in the Report and neither are the 3 under-18 non-engagers.
ENGAGED = {"11-17": 17, "18-25": 10}
NON_ENGAGEMENT_REASONS = {
    "11-17": [],  # Report gives no reasons: left empty
    "18-25": [
        ("secure estate", 2),
        ("withdrawn (mental-health suitability)", 1),
        ("wanted by police", 1),
        ("uncontactable", 7),
    ],  # remaining 4: not recorded in the Report: left empty
}

ROLES = ("suspect", "victim")
COUNT_OUTCOMES = ("knife", "violent", "violent_sexual", "non_police_initiated")
OUTCOMES = ("harm",) + COUNT_OUTCOMES

# Integer sums and sums of squares per count outcome: DOMAIN.md, 'Group sizes,
# inferred from the table' (the unique integer solution reproducing each
# Appendix B row's t and df with n = 45/86 all ages and 20/50 under 18).
# key: (group, role, outcome) -> (sum T, sum C, sum of squares T, sum of squares C)
COUNT_AGGREGATES = {
    ("all", "suspect", "knife"): (17, 54, 31, 174),
    ("all", "suspect", "violent"): (56, 149, 240, 755),
    ("all", "suspect", "violent_sexual"): (58, 155, 266, 807),
    ("all", "suspect", "non_police_initiated"): (111, 270, 901, 2252),
    ("all", "victim", "knife"): (5, 14, 5, 24),
    ("all", "victim", "violent"): (18, 54, 54, 182),
    ("all", "victim", "violent_sexual"): (22, 57, 62, 201),
    ("all", "victim", "non_police_initiated"): (44, 73, 168, 239),
    ("under_18", "suspect", "knife"): (7, 43, 11, 157),
    ("under_18", "suspect", "violent"): (35, 103, 161, 619),
    ("under_18", "suspect", "violent_sexual"): (36, 108, 174, 668),
    ("under_18", "suspect", "non_police_initiated"): (70, 184, 590, 1726),
    ("under_18", "victim", "knife"): (1, 10, 1, 18),
    ("under_18", "victim", "violent"): (11, 37, 33, 101),
    ("under_18", "victim", "violent_sexual"): (15, 39, 41, 119),
    ("under_18", "victim", "non_police_initiated"): (24, 47, 70, 141),
}

# Appendix B exactly as printed (text).  Report, Appendix B: 'Data analysis
# tables'.  Columns: group, role, outcome, mean_treatment, mean_control,
# percent_change (without the % sign), t, df, p_reported, likelihood_reported.
APPENDIX_B = [
    ("all", "suspect", "harm", "221.86", "477.57", "-53.50", "-2.1094", "128.04", "0.03686", "Less than 5%"),
    ("all", "suspect", "knife", "0.38", "0.63", "-39.80", "-1.4076", "127.47", "0.08084", "Less than 10%"),
    ("all", "suspect", "violent", "1.24", "1.73", "-28.20", "-1.2439", "106.57", "0.1081", "Less than 11%"),
    ("all", "suspect", "violent_sexual", "1.29", "1.8", "-28.50", "-1.2498", "104.21", "0.1071", "Less than 11%"),
    ("all", "suspect", "non_police_initiated", "2.47", "3.14", "-21.40", "-0.94324", "95.391", "0.174", "Less than 20%"),
    ("all", "victim", "harm", "236.26", "268.67", "-12.10", "-0.252", "89.244", "0.8016", "More than 80%"),
    ("all", "victim", "knife", "0.11", "0.16", "-31.70", "-0.71556", "124.58", "0.4756", "More than 40%"),
    ("all", "victim", "violent", "0.4", "0.63", "-36.30", "-1.0878", "109.94", "0.2791", "More than 20%"),
    ("all", "victim", "violent_sexual", "0.49", "0.66", "-26.20", "-0.79202", "110.21", "0.43", "More than 40%"),
    ("all", "victim", "non_police_initiated", "0.98", "0.85", "15.20", "0.4363", "78.277", "0.6638", "More than 60%"),
    ("under_18", "suspect", "harm", "175.78", "594.47", "-70.40", "-2.482", "67.702", "0.01555", "Less than 5%"),
    ("under_18", "suspect", "knife", "0.35", "0.86", "-59.30", "-1.9075", "67.581", "0.03036", "Less than 5%"),
    ("under_18", "suspect", "violent", "1.75", "2.06", "-15.00", "-0.47355", "43.838", "0.3191", "More than 30%"),
    ("under_18", "suspect", "violent_sexual", "1.8", "2.16", "-16.70", "-0.52804", "43.305", "0.3001", "More than 30%"),
    ("under_18", "suspect", "non_police_initiated", "3.5", "3.68", "-4.90", "-0.15573", "37.878", "0.4385", "More than 40%"),
    ("under_18", "victim", "harm", "398.23", "299.87", "32.80", "0.40867", "27.952", "0.6859", "More than 60%"),
    ("under_18", "victim", "knife", "0.05", "0.2", "-75.00", "-1.5785", "67.998", "0.1191", "Less than 20%"),
    ("under_18", "victim", "violent", "0.55", "0.74", "-25.7", "-0.59794", "36.005", "0.5536", "More than 50%"),
    ("under_18", "victim", "violent_sexual", "0.75", "0.78", "-3.80", "-0.08868", "37.5", "0.9298", "More than 90%"),
    ("under_18", "victim", "non_police_initiated", "1.2", "0.94", "27.70", "0.67598", "33.642", "0.5037", "More than 50%"),
]
APPENDIX_B_COLUMNS = ("group", "role", "outcome", "mean_treatment", "mean_control",
                      "percent_change", "t", "df", "p_reported", "likelihood_reported")

# p-value sidedness: DOMAIN.md, 'Appendix B, and what we found when we
# recomputed it' (two-sided for suspect harm and every victim row; one-sided,
# treatment lower, for every suspect count row).
def sidedness(role: str, outcome: str) -> str:
    return "one-sided (less)" if role == "suspect" and outcome != "harm" else "two-sided"


# Home Office unit costs of crime, 2015/16 prices: DOMAIN.md, 'Reporting
# conventions' (Home Office, The Economic and Social Costs of Crime, 2nd ed., 2018).
UNIT_COSTS = [
    ("violence_with_injury", "Violence with injury", 14050, False),
    ("robbery", "Robbery", 11320, False),
    ("rape", "Rape", 39360, False),
    ("other_sexual_offences", "Other sexual offences", 6520, False),
    ("homicide", "Homicide", 3200000, True),  # DOMAIN.md: "about GBP 3.2m"
]

# Support offers delivered: Report, 'What was delivered?'.
SUPPORT_11_17 = [
    "Support to access education/employment",
    "Allocation of Social Worker",
    "CAMHS Referral",
    "SALT (Speech and Language) Assessment",
    "YJS Worker",
    "Allocation of a Youth Worker",
    "1:1 Knife Crime Work",
    "Referral to Sports Worker",
    "Additional financial support to access positive activities",
    "NRM Referral",
    "Young Person Mapping",
    "Criminal Exploitation Worker-Young Person",
    "Drug and Alcohol Service",
    "Mentor",
    "SAIT (Specialist Assessment and Intervention Team)",
    "AIG (Advice Information and Guidance)",
]
SUPPORT_18_25 = [
    "1:1 Knife crime work",
    "Referral CAMHS / Adult Mental Health Support",
    "Support to access education and employment",
    "Support to access Probation",
    "Allocation of Social Worker",
    "Mentor",
    "Support to access GP/ health appointment",
    "Allocation of Youth Worker",
    "SALT assessment",
    "Support around budgeting",
    "Housing support",
    "Safety planning with parents/ carers",
    "Young person Mapping",
    "Drug and Alcohol Service",
]
assert len(SUPPORT_11_17) == 16 and len(SUPPORT_18_25) == 14

OUTCOME_LABELS = {
    "harm": ("Total crime harm as {role}", "crime harm (days)"),
    "knife": ("Knife-related crimes as {role}", "crimes per person"),
    "violent": ("Violent crimes as {role}", "crimes per person"),
    "violent_sexual": ("Violent or sexual crimes as {role}", "crimes per person"),
    "non_police_initiated": ("Non-police-initiated crimes as {role}", "crimes per person"),
}
HEADLINE = {("suspect", "harm"), ("suspect", "knife"), ("suspect", "violent")}

PEOPLE_COLUMNS = (
    ["person_id", "arm", "age_group", "engaged", "non_engagement_reason"]
    + [f"{r}_{o}" for r in ROLES for o in OUTCOMES]
    + [f"{r}_{o}_pre12m" for r in ROLES for o in OUTCOMES]  # synthetic baselines (#14)
)

# ---------------------------------------------------------------------------
# Derived targets
# ---------------------------------------------------------------------------

ARM_COL = {"treatment": 0, "control": 1}  # index into (T, C) pairs


def count_targets():
    """(arm, age, role, outcome) -> (n, sum, sum of squares); 18-25 = all - under 18."""
    tg = {}
    for role in ROLES:
        for out in COUNT_OUTCOMES:
            a = COUNT_AGGREGATES[("all", role, out)]
            u = COUNT_AGGREGATES[("under_18", role, out)]
            for arm, k in ARM_COL.items():
                tg[(arm, "11-17", role, out)] = (N[(arm, "11-17")], u[k], u[2 + k])
                tg[(arm, "18-25", role, out)] = (N[(arm, "18-25")], a[k] - u[k], a[2 + k] - u[2 + k])
    return tg


def appendix_row(group, role, outcome):
    for r in APPENDIX_B:
        if r[:3] == (group, role, outcome):
            return dict(zip(APPENDIX_B_COLUMNS, r))
    raise KeyError((group, role, outcome))


def welch_sd_roots(m1, m2, n1, n2, t, df):
    """All (sd1, sd2) > 0 with Welch t and Welch-Satterthwaite df as given."""
    A = ((m1 - m2) / t) ** 2                      # v1/n1 + v2/n2
    c2 = 1 / (n1 - 1) + 1 / (n2 - 1)
    c1 = -2 * A / (n2 - 1)
    c0 = A * A / (n2 - 1) - A * A / df
    disc = c1 * c1 - 4 * c2 * c0
    roots = []
    if disc >= 0:
        for s in (+1, -1):
            x = (-c1 + s * math.sqrt(disc)) / (2 * c2)  # x = v1/n1
            if 0 < x < A:
                roots.append((math.sqrt(x * n1), math.sqrt((A - x) * n2)))
    return roots


def harm_targets():
    """Per role: chosen SDs and the exact per-cell (n, sum, sum of squares) in
    cents and cents^2.  Means are the printed means exactly (sum = mean * n is a
    whole number of pence).  Root choice: the 18-25 remainder must have
    non-negative variance in both arms (DOMAIN.md); where more than one
    combination of roots survives, take the one whose SDs are closest to equal
    (smallest sum over all ages and under 18 of |log(sd_T / sd_C)|)."""
    out = {}
    for role in ROLES:
        rows = {g: appendix_row(g, role, "harm") for g in ("all", "under_18")}
        n_all = {a: N[(a, "11-17")] + N[(a, "18-25")] for a in ARMS}
        n_u = {a: N[(a, "11-17")] for a in ARMS}
        sums_c = {}
        for g, n in (("all", n_all), ("under_18", n_u)):
            sums_c[(g, "treatment")] = round(float(rows[g]["mean_treatment"]) * 100 * n["treatment"])
            sums_c[(g, "control")] = round(float(rows[g]["mean_control"]) * 100 * n["control"])
        roots = {}
        for g, n in (("all", n_all), ("under_18", n_u)):
            r = rows[g]
            roots[g] = welch_sd_roots(sums_c[(g, "treatment")] / 100 / n["treatment"],
                                      sums_c[(g, "control")] / 100 / n["control"],
                                      n["treatment"], n["control"], float(r["t"]), float(r["df"]))
        combos = []
        for ia, ra in enumerate(roots["all"]):
            for iu, ru in enumerate(roots["under_18"]):
                cells = {}
                ok = True
                for k, arm in enumerate(ARMS):
                    nA, nU = n_all[arm], n_u[arm]
                    SA, SU = sums_c[("all", arm)] / 100, sums_c[("under_18", arm)] / 100
                    QA = ra[k] ** 2 * (nA - 1) + SA * SA / nA
                    QU = ru[k] ** 2 * (nU - 1) + SU * SU / nU
                    nO, SO, QO = nA - nU, SA - SU, QA - QU
                    vO = (QO - SO * SO / nO) / (nO - 1)
                    ok &= vO >= 0
                    cells[(arm, "11-17")] = (nU, sums_c[("under_18", arm)], QU * 1e4)
                    cells[(arm, "18-25")] = (nO, sums_c[("all", arm)] - sums_c[("under_18", arm)], QO * 1e4)
                score = abs(math.log(ra[0] / ra[1])) + abs(math.log(ru[0] / ru[1]))
                combos.append(dict(all_root=ia, u18_root=iu, sd_all=ra, sd_u18=ru,
                                   feasible=bool(ok), score=score, cells=cells))
        feasible = [c for c in combos if c["feasible"]]
        assert feasible, f"no feasible harm SD roots for {role}"
        chosen = min(feasible, key=lambda c: c["score"])
        out[role] = dict(chosen=chosen, combos=combos)
    return out


# ---------------------------------------------------------------------------
# Integer search for count outcomes
# ---------------------------------------------------------------------------

def _ssq(x):
    return int(np.dot(x, x))


def _climb(x, floor, Q, rng, weights, max_steps=4000):
    """Move single units between people (keeping x >= floor, sum fixed) until
    sum of squares == Q.  Moving a unit i -> j changes it by 2(x_j - x_i + 1).
    Random improving moves (target j drawn by weight); None if stuck."""
    x = x.copy()
    n = len(x)
    for _ in range(max_steps):
        d = Q - _ssq(x)
        if d == 0:
            return x
        src = np.flatnonzero(x > floor)
        if len(src) == 0:
            return None
        ch = 2 * (x[None, :] - x[src][:, None] + 1)          # shape (src, n)
        ch[np.arange(len(src)), src] = 0                      # i == j
        good = np.abs(d - ch) < abs(d)
        ii, jj = np.nonzero(good)
        if len(ii) == 0:
            return None
        w = weights[jj] if d > 0 else 1.0 / weights[jj]
        k = rng.choice(len(ii), p=w / w.sum())
        x[src[ii[k]]] -= 1
        x[jj[k]] += 1
    return None


def _multiset(n, S, Q, rng):
    """n non-negative integers, sum S, sum of squares Q, roughly negative binomial."""
    if S == 0:
        assert Q == 0
        return np.zeros(n, dtype=np.int64)
    mean = S / n
    var = max((Q - S * S / n) / (n - 1), 1e-9)
    for _ in range(2000):
        if var > mean:
            r = mean * mean / (var - mean)
            x = rng.negative_binomial(r, r / (r + mean), size=n).astype(np.int64)
        else:
            x = rng.poisson(mean, size=n).astype(np.int64)
        while x.sum() < S:
            x[rng.integers(n)] += 1
        while x.sum() > S:
            pos = np.flatnonzero(x > 0)
            x[pos[rng.integers(len(pos))]] -= 1
        y = _climb(x, 0, Q, rng, np.ones(n))
        if y is not None:
            return y
    raise RuntimeError(f"no multiset for n={n} S={S} Q={Q}")


def _extend(base, S, Q, rng, weights, tries=300):
    """y >= base elementwise, sum S, sum of squares Q (None if not found)."""
    D = S - int(base.sum())
    if D < 0:
        return None
    for _ in range(tries):
        y = base.copy()
        if D:
            idx = rng.choice(len(y), size=D, p=weights / weights.sum())
            np.add.at(y, idx, 1)
        z = _climb(y, base, Q, rng, weights)
        if z is not None:
            return z
    return None


def _assign_by_rank(values, score, rng, noise):
    """Largest values to the people with the highest (score + noise)."""
    key = score + rng.normal(0.0, noise, size=len(score))
    order = np.argsort(-key, kind="stable")
    out = np.empty_like(values)
    out[order] = np.sort(values)[::-1]
    return out


def build_counts(rng, n, tg, arm, age, latent):
    """All 8 count columns for one arm x age cell."""
    cols = {}
    for role in ROLES:
        z = latent[role]
        w = np.exp(z)
        t = {o: tg[(arm, age, role, o)] for o in COUNT_OUTCOMES}
        for attempt in range(5000):
            v = _assign_by_rank(_multiset(n, t["violent"][1], t["violent"][2], rng), z, rng, 0.6)
            vs = _extend(v, t["violent_sexual"][1], t["violent_sexual"][2], rng, w, tries=20)
            if vs is None:
                continue
            # non-police-initiated >= violent or sexual (violent and sexual
            # crimes are reported by the public): enforced where the search
            # finds it; otherwise fall back to an independent ranked multiset.
            npi = _extend(vs, t["non_police_initiated"][1], t["non_police_initiated"][2], rng, w, tries=20)
            if npi is None and attempt < 4000:
                continue
            if npi is None:
                npi = _assign_by_rank(_multiset(n, *t["non_police_initiated"][1:], rng), z, rng, 0.6)
            break
        else:
            raise RuntimeError(f"count search failed: {arm} {age} {role}")
        knife = _assign_by_rank(_multiset(n, t["knife"][1], t["knife"][2], rng),
                                z + 0.5 * np.log1p(v), rng, 0.7)
        cols[f"{role}_knife"] = knife
        cols[f"{role}_violent"] = v
        cols[f"{role}_violent_sexual"] = vs
        cols[f"{role}_non_police_initiated"] = npi
    return cols


# ---------------------------------------------------------------------------
# Harm
# ---------------------------------------------------------------------------

# Shape-only simulation of Cambridge Crime Harm Index days per crime (log-normal
# medians / log-sd).  Invented, used only to give each person a plausible
# relative harm; the cell totals are then forced to the Appendix B figures.
HARM_SHAPE = {
    "knife": (90.0, 0.9),
    "violent": (40.0, 1.4),
    "sexual": (300.0, 1.0),
    "other": (10.0, 1.2),
    "uncounted": (15.0, 1.0),  # suspect crimes outside all four counts (e.g. drugs)
}
UNCOUNTED_SUSPECT_SHARE = 0.12   # share of zero-count people given small suspect harm
HARM_FLOOR = 1.0                 # days; smallest harm given to anyone with harm > 0
HARM_SHAPE_DRAWS = 25


def _crime_draw(rng, k, what):
    med, sd = HARM_SHAPE[what]
    return float(np.exp(rng.normal(math.log(med), sd, size=int(k))).sum()) if k else 0.0


def _power_fit(b, S, Q):
    """h = L + c * b**p with sum S and sum of squares Q (b > 0)."""
    k, L = len(b), HARM_FLOOR
    G1 = S - k * L
    G2 = Q - 2 * L * S + k * L * L
    assert G1 > 0 and G2 > 0
    target = G1 * G1 / G2                         # (sum g)^2 / sum g^2, in (1, k)
    assert 1.0 < target < k, (target, k)
    lb = np.log(b) - np.log(b).max()

    def ratio(p):
        g = np.exp(p * lb)
        return g.sum() ** 2 / np.dot(g, g)

    lo, hi = 0.0, 1.0
    while ratio(hi) > target:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if ratio(mid) > target:
            lo = mid
        else:
            hi = mid
    g = np.exp(0.5 * (lo + hi) * lb)
    return L + g * (G1 / g.sum()), 0.5 * (lo + hi)


def _fix_cents(H, S_c, Q_c2):
    """Integer pence H (>= 1) with sum exactly S_c and sum of squares as close
    as single-penny moves allow to Q_c2 (a real number of pence^2)."""
    H = H.copy()
    while H.sum() != S_c:
        step = 1 if H.sum() < S_c else -1
        H[np.argmax(H)] += step
    for _ in range(100000):
        d = Q_c2 - float(np.dot(H.astype(np.float64), H))
        if abs(d) <= 1.0:
            break
        # moving one penny i -> j changes the sum of squares by 2(H_j - H_i + 1)
        order = np.argsort(H, kind="stable")
        Hs = H[order]
        best = (abs(d), None, None)
        for a in range(len(Hs)):
            if Hs[a] < 2:
                continue
            want = Hs[a] - 1 + d / 2
            pos = np.searchsorted(Hs, want)
            for b in (pos - 1, pos, pos + 1):
                if 0 <= b < len(Hs) and b != a:
                    r = abs(d - 2 * (float(Hs[b]) - Hs[a] + 1))
                    if r < best[0]:
                        best = (r, a, b)
        if best[1] is None:
            break
        H[order[best[1]]] -= 1
        H[order[best[2]]] += 1
    return H


def build_harm(rng, cols, role, n, S_c, Q_c2):
    """Harm in pence for one role and one cell."""
    k_ = cols[f"{role}_knife"]
    v = cols[f"{role}_violent"]
    vs = cols[f"{role}_violent_sexual"]
    npi = cols[f"{role}_non_police_initiated"]
    any_count = (k_ + v + vs + npi) > 0
    positive = any_count.copy()
    if role == "suspect":
        positive |= (~any_count) & (rng.random(n) < UNCOUNTED_SUSPECT_SHARE)
    idx = np.flatnonzero(positive)
    best = None
    # Several shape draws; keep the one needing the mildest transform (p
    # closest to 1), so the simulated per-crime shape survives the fit.
    for _ in range(HARM_SHAPE_DRAWS):
        base = np.zeros(n)
        for i in idx:
            if any_count[i]:
                base[i] = (_crime_draw(rng, k_[i], "knife") + _crime_draw(rng, v[i], "violent")
                           + _crime_draw(rng, vs[i] - v[i], "sexual")
                           + _crime_draw(rng, max(npi[i] - vs[i], 0), "other"))
            else:
                base[i] = _crime_draw(rng, 1, "uncounted")
        h, p = _power_fit(base[idx], S_c / 100, Q_c2 / 1e4)
        if best is None or abs(math.log(p)) < best[0]:
            best = (abs(math.log(p)), h)
    h = best[1]
    Hp = np.maximum(np.round(h * 100).astype(np.int64), 100)
    Hp = _fix_cents(Hp, S_c, Q_c2)
    H = np.zeros(n, dtype=np.int64)
    H[idx] = Hp
    return H


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

def build():
    rng = np.random.default_rng(SEED)
    tg = count_targets()
    ht = harm_targets()
    cells = []
    for arm in ARMS:
        for age in AGES:
            n = N[(arm, age)]
            z_s = rng.normal(size=n)
            z_v = 0.5 * z_s + math.sqrt(0.75) * rng.normal(size=n)
            cols = build_counts(rng, n, tg, arm, age, {"suspect": z_s, "victim": z_v})
            for role in ROLES:
                _n, S_c, Q_c2 = ht[role]["chosen"]["cells"][(arm, age)]
                cols[f"{role}_harm_pence"] = build_harm(rng, cols, role, n, S_c, Q_c2)
            # Engagement: assigned at random within the cohort, independent of
            # outcomes (the Report gives no outcomes by engagement).
            engaged = [None] * n
            reasons = [None] * n
            if arm == "treatment":
                perm = rng.permutation(n)
                eng = set(perm[:ENGAGED[age]].tolist())
                non = [int(i) for i in perm[ENGAGED[age]:]]
                engaged = [i in eng for i in range(n)]
                labels = [r for r, c in NON_ENGAGEMENT_REASONS[age] for _ in range(c)]
                for i, lab in zip(non, labels):
                    reasons[i] = lab
            for i in range(n):
                row = {"arm": arm, "age_group": age, "engaged": engaged[i],
                       "non_engagement_reason": reasons[i]}
                for role in ROLES:
                    row[f"{role}_harm_pence"] = int(cols[f"{role}_harm_pence"][i])
                    for o in COUNT_OUTCOMES:
                        row[f"{role}_{o}"] = int(cols[f"{role}_{o}"][i])
                cells.append(row)
    order = rng.permutation(len(cells))
    people = []
    for pid, i in enumerate(order, start=1):
        row = dict(cells[int(i)])
        row["person_id"] = f"FD{pid:04d}"
        people.append(row)
    return people, tg, ht


# ---------------------------------------------------------------------------
# Checks (numpy only; a scipy check of p-values is left to the test suite)
# ---------------------------------------------------------------------------

def _welch(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    a, b = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    t = (x.mean() - y.mean()) / math.sqrt(a + b)
    df = (a + b) ** 2 / (a * a / (len(x) - 1) + b * b / (len(y) - 1))
    return x.mean(), y.mean(), t, df


def r_format(x, sig):
    """R's print.htest style: `sig` significant digits, trailing zeros dropped."""
    return f"{x:.{sig}g}"


def value(row, col):
    if col.endswith("_harm"):
        return row[col + "_pence"] / 100
    return row[col]


def check(people, tg):
    problems = []
    n = len(people)
    assert n == 131
    for arm in ARMS:
        for age in AGES:
            sub = [p for p in people if p["arm"] == arm and p["age_group"] == age]
            assert len(sub) == N[(arm, age)]
            for role in ROLES:
                for o in COUNT_OUTCOMES:
                    x = np.array([p[f"{role}_{o}"] for p in sub])
                    _n, S, Q = tg[(arm, age, role, o)]
                    assert x.min() >= 0 and int(x.sum()) == S and _ssq(x) == Q, (arm, age, role, o)
    for p in people:
        for role in ROLES:
            assert p[f"{role}_violent_sexual"] >= p[f"{role}_violent"]
            anyc = sum(p[f"{role}_{o}"] for o in COUNT_OUTCOMES) > 0
            if anyc:
                assert p[f"{role}_harm_pence"] > 0
            assert p[f"{role}_harm_pence"] >= 0
    for arm in ARMS:
        for age in AGES:
            sub = [p for p in people if p["arm"] == arm and p["age_group"] == age]
            if arm == "treatment":
                assert sum(p["engaged"] for p in sub) == ENGAGED[age]
    rows = []
    for r in APPENDIX_B:
        g, role, o = r[:3]
        rec = dict(zip(APPENDIX_B_COLUMNS, r))
        col = f"{role}_{o}"
        pop = people if g == "all" else [p for p in people if p["age_group"] == "11-17"]
        x = [value(p, col) for p in pop if p["arm"] == "treatment"]
        y = [value(p, col) for p in pop if p["arm"] == "control"]
        mT, mC, t, df = _welch(x, y)
        ok = (round(mT, 2) == float(rec["mean_treatment"]) and round(mC, 2) == float(rec["mean_control"])
              and r_format(t, 5) == rec["t"] and r_format(df, 5) == rec["df"])
        if not ok:
            problems.append((g, role, o, mT, mC, t, df))
        rows.append((g, role, o, mT, mC, t, df, ok))
    assert not problems, problems
    return rows


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------

def _csv_cell(col, v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def write_people(people):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PEOPLE_COLUMNS)
    for p in sorted(people, key=lambda p: p["person_id"]):
        out = []
        for c in PEOPLE_COLUMNS:
            if c.endswith(("_harm", "_harm_pre12m")):
                pence = p[c + "_pence"]
                out.append(f"{pence // 100}.{pence % 100:02d}")
            else:
                out.append(_csv_cell(c, p[c]))
        w.writerow(out)
    (OUT / "people.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")

    ordered = sorted(people, key=lambda p: p["person_id"])
    fields, arrays = [], []
    for c in PEOPLE_COLUMNS:
        if c in ("person_id", "arm", "age_group", "non_engagement_reason"):
            typ = pa.string()
            data = [p[c] for p in ordered]
        elif c == "engaged":
            typ = pa.bool_()
            data = [p[c] for p in ordered]
        elif c.endswith(("_harm", "_harm_pre12m")):
            typ = pa.float64()
            data = [p[c + "_pence"] / 100 for p in ordered]
        else:
            typ = pa.int64()
            data = [p[c] for p in ordered]
        nullable = c in ("engaged", "non_engagement_reason")
        fields.append(pa.field(c, typ, nullable=nullable))
        arrays.append(pa.array(data, type=typ))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, OUT / "people.parquet", compression="snappy",
                   write_statistics=True, use_dictionary=False, store_schema=False)


def write_appendix_b():
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(APPENDIX_B_COLUMNS)
    for r in APPENDIX_B:
        w.writerow(r)
    (OUT / "appendix_b.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")


def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        if v and isinstance(v[0], dict):
            return "[\n" + ",\n".join("  " + _toml_inline(x) for x in v) + ",\n]"
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return _toml_inline(v)
    raise TypeError(type(v))


def _toml_inline(d):
    return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in d.items()) + " }"


def _toml_key(k):
    return k if k.replace("_", "").isalnum() and k.isascii() else _toml_value(k)


def _toml_table(path, d, lines):
    """Emit scalars/arrays first, then sub-tables, then arrays of tables.
    A key ending in '[]' holds an array of tables."""
    scalars = {k: v for k, v in d.items() if not isinstance(v, dict) and not k.endswith("[]")}
    subs = {k: v for k, v in d.items() if isinstance(v, dict)}
    arrs = {k[:-2]: v for k, v in d.items() if k.endswith("[]")}
    if path and (scalars or not (subs or arrs)):
        lines.append(f"\n[{'.'.join(_toml_key(p) for p in path)}]")
    for k, v in scalars.items():
        lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in subs.items():
        _toml_table(path + [k], v, lines)
    for k, items in arrs.items():
        for item in items:
            lines.append(f"\n[[{'.'.join(_toml_key(p) for p in path + [k])}]]")
            for kk, vv in item.items():
                lines.append(f"{_toml_key(kk)} = {_toml_value(vv)}")


SRC_METHOD = "Report, 'Cohort and Trial Methodology'"
SRC_WHAT_IS = "Report, 'What is Focused Deterrence?'"
SRC_APPB = "Report, Appendix B"
SRC_DOMAIN_N = "DOMAIN.md inference from Appendix B ('Group sizes, inferred from the table')"
SRC_ENG = "Report, 'Key Findings Summary / Engagement', 'Sub-group analysis' and 'What does this mean?'"
SRC_COSTS = "DOMAIN.md, 'Reporting conventions' (Home Office, The Economic and Social Costs of Crime, 2nd ed., 2018)"


def trial_metadata(ht):
    outcomes = []
    for role in ROLES:
        for o in OUTCOMES:
            label, unit = OUTCOME_LABELS[o]
            defs = {
                "harm": "Sum of Cambridge Crime Harm Index scores over the person's crimes in the role during follow-up",
                "knife": "Count of knife-related crimes",
                "violent": "Count of violent crimes (assault without injury up to homicide, incl. robbery)",
                "violent_sexual": "Count of violent or sexual crimes (all violent plus all sexual offences); per person >= the violent count",
                "non_police_initiated": "Count of crimes other than those usually recorded only because police found them (e.g. drugs)",
            }
            outcomes.append({
                "column": f"{role}_{o}",
                "label": label.format(role=role),
                "role": role,
                "kind": "score" if o == "harm" else "count",
                "unit": unit,
                "direction": "lower",
                "crime": True,
                "headline": (role, o) in HEADLINE,
                "appendix_b_outcome": o,
                "p_sidedness_reported": sidedness(role, o),
                "definition": defs[o],
                "source": "Report, 'Crime count and harm' and Appendix B; sidedness: DOMAIN.md",
            })
    eng = {}
    for age in AGES:
        nt = N[("treatment", age)]
        reasons = [{"reason": r, "count": c, "source": "Report, 'What does this mean?'"}
                   for r, c in NON_ENGAGEMENT_REASONS[age]]
        known = sum(c for _, c in NON_ENGAGEMENT_REASONS[age])
        reasons.append({"reason": "", "count": nt - ENGAGED[age] - known,
                        "note": "not recorded in the Report (empty in people.csv)",
                        "source": "Report gives no reason"})
        eng[age] = {"allocated": nt, "engaged": ENGAGED[age], "not_engaged": nt - ENGAGED[age],
                    "source": SRC_ENG, "reasons": reasons}
    ch = ht["suspect"]["chosen"], ht["victim"]["chosen"]
    meta = {
        "schema_version": 2,
        "trial": {
            "id": "focused_deterrence",
            "name": "Focused Deterrence (Milton Keynes, Thames Valley)",
            "design": "Randomised controlled trial, two arms, intention-to-treat analysis",
            "location": "Milton Keynes, Thames Valley",
            "eligibility": ("Aged 11-25; at least one knife offence as a suspect in the past 12 months and one more "
                            "knife, violent or sexual offence as a suspect in the past 24 months; people already "
                            "managed by MARAC, MATAAC or PREVENT excluded"),
            "source": SRC_METHOD,
            "crime_programme": True,
            "citation": {
                "authors": ["Olphin, T.", "Bottomley, S.", "Webb, A.", "Stock, M."],
                "year": 2024,
                "title": "What Works Series: Focused Deterrence 12 Month Findings",
                "publisher": "Thames Valley Violence Prevention Partnership",
                "place": "Kidlington, UK",
                "text": ("Olphin, T., Bottomley, S., Webb, A. & Stock, M. (2024) What Works Series: Focused "
                         "Deterrence 12 Month Findings, Thames Valley Violence Prevention Partnership: Kidlington, UK"),
                "source": "Report, 'Authors and Referencing'",
            },
            "delivery_start": {"value": "2023-02", "source": SRC_WHAT_IS},
            "funded_until": {"value": "2025-03-31", "source": SRC_METHOD},
            "follow_up_months": {"value": 12,
                                 "note": ("outcomes counted over each person's 12 months in the trial; the Report also "
                                          "mentions six months' monitoring after treatment, not reported in Appendix B"),
                                 "source": "Report, 'What are we testing?' and " + SRC_WHAT_IS},
        },
        "data": {
            "synthetic": True,
            "note": ("SYNTHETIC people reconstructed from the published aggregates (Appendix B and DOMAIN.md "
                     "inferences). Nothing in people.csv describes a real person. Means, Welch t and df "
                     "reproduce Appendix B at printed precision; everything else about individuals is invented."),
            "people_csv": "people.csv",
            "people_parquet": "people.parquet",
            "appendix_b_csv": "appendix_b.csv",
            "id_column": "person_id",
            "generator": "build.py",
            "seed": SEED,
        },
        "arms": {
            "column": "arm",
            "treatment": {"value": "treatment", "label": "Business as usual + focused deterrence case work", "source": SRC_METHOD},
            "control": {"value": "control", "label": "Business as usual", "source": SRC_METHOD},
        },
        "design": {
            "type": "simple",
            "strata": [],
            "note": "The Report does not say that randomisation was stratified or clustered.",
            "allocation_ratio": {
                "value": 0.5233,
                "note": ("achieved allocation, 45 treatment : 86 control; the Report gives no planned "
                         "ratio (funding allowed 45 cases at once)"),
                "source": "Report, 'Cohort and Trial Methodology'; control size: " + SRC_DOMAIN_N,
            },
        },
        "analysis": {
            "method": "welch",
            "note": ("the primary method: the Report's Appendix B compares means with R's Welch t-test; "
                     "the dashboard opens with it so Appendix B is reproduced, and shows the other methods beside it"),
            "source": "Report, Appendix B",
        },
        "sample_size": {
            "treatment": {"total": 45, "11-17": 20, "18-25": 25, "source": "Report, 'What are we testing?' and " + SRC_METHOD},
            "control": {"total": 86, "11-17": 50, "18-25": 36, "source": SRC_DOMAIN_N},
        },
        "outcomes[]": outcomes,
        "subgroups[]": [{
            "column": "age_group",
            "levels": list(AGES),
            "analysed_levels": ["11-17"],
            "prespecified": False,
            "note": ("Exploratory: the Report analysed the 11-17 cohort because 17 of 20 engaged, and did not analyse "
                     "the 18-25 cohort 'due to the lower treatment integrity' (10 of 25 engaged), i.e. the subgroup "
                     "was chosen after seeing engagement"),
            "source": "Report, 'Sub-group analysis – 11-17 year-old cohort only'",
        }],
        "engagement": {
            "column": "engaged",
            "reason_column": "non_engagement_reason",
            "arm": "treatment",
            "note": "In people.csv engagement is assigned at random within cohort, independent of outcomes (the Report gives no outcomes by engagement).",
            "cohorts": eng,
        },
        "cost": {
            "currency": "GBP",
            "delivery_funding": {"value": 150000, "unit": "GBP",
                                 "note": "Violence Prevention Partnership funding for two dedicated case workers and a coordinator in the council's Safeguarding team",
                                 "source": SRC_WHAT_IS},
            "cost_per_case_low": {"value": 2000, "unit": "GBP per case", "source": SRC_WHAT_IS},
            "cost_per_case_high": {"value": 2500, "unit": "GBP per case",
                                   "note": "plus management and coordination cost, which would reduce with scale of delivery",
                                   "source": SRC_WHAT_IS},
            "case_workers": {"value": 2, "note": "one per age cohort", "source": SRC_WHAT_IS},
            "coordinators": {"value": 1, "source": SRC_WHAT_IS},
            "caseload_11_17": {"value": 20, "source": SRC_METHOD},
            "caseload_18_25": {"value": 25, "source": SRC_METHOD},
            "recommended_max_caseload": {"value": [20, 25], "source": "Report, 'Implications for wider adoption and next steps'"},
            "delivery_start": {"value": "2023-02", "source": SRC_WHAT_IS},
            "funded_until": {"value": "2025-03-31", "source": SRC_METHOD},
            "discretionary_fund": {"value": "small; what was left once the three salaries were paid", "source": "Report, 'The Intervention'"},
        },
        "support_offers": {
            "11-17": {"count": len(SUPPORT_11_17), "types": SUPPORT_11_17, "source": "Report, 'What was delivered?'"},
            "18-25": {"count": len(SUPPORT_18_25), "types": SUPPORT_18_25, "source": "Report, 'What was delivered?'"},
        },
        "harm_index": {
            "name": "Cambridge Crime Harm Index",
            "unit": "days of imprisonment at the sentencing-guideline starting point for a first offender",
            "reference": "Sherman, Neyroud and Neyroud (2016)",
            "examples_days": {"murder": 5475, "rape_lowest_category": 1825, "robbery_personal_property": 365},
            "note": "The full table is licensed and is not shipped; users may supply a lookup file (offence code -> days).",
            "source": "DOMAIN.md, 'Reporting conventions'",
        },
        "unit_costs_of_crime": {
            "currency": "GBP",
            "price_year": "2015/16",
            "editable": True,
            "publisher": "Home Office",
            "title": "The Economic and Social Costs of Crime, 2nd edition",
            "year": 2018,
            "note": "Possession offences are not costed.",
            "source": SRC_COSTS,
            "items[]": [{"key": k, "label": lab, "value": v, "approximate": approx, "source": SRC_COSTS}
                        for k, lab, v, approx in UNIT_COSTS],
        },
        "appendix_b": {
            "file": "appendix_b.csv",
            "test": "R t.test, Welch (unequal variances)",
            "p_sidedness": ("two-sided for suspect harm and every victim row; one-sided (treatment lower) for every "
                            "suspect count row (knife, violent, violent_sexual, non_police_initiated), both age groups; "
                            "the Report does not say so"),
            "likelihood_column_note": ("The Report's 'Likelihood of chance' column reads a p-value as the chance the "
                                       "finding is due to chance; that reading is wrong."),
            "source": "Report, Appendix B; sidedness: DOMAIN.md",
            "harm_sd_reconstruction": {
                "suspect_sd_all": [round(x, 4) for x in ch[0]["sd_all"]],
                "suspect_sd_under_18": [round(x, 4) for x in ch[0]["sd_u18"]],
                "victim_sd_all": [round(x, 4) for x in ch[1]["sd_all"]],
                "victim_sd_under_18": [round(x, 4) for x in ch[1]["sd_u18"]],
                "order": "[treatment, control]",
                "rule": ("Solved from Welch t and df at the printed means; root with non-negative 18-25 remainder "
                         "variance; if several, the one with SDs closest to equal"),
                "source": "DOMAIN.md inference from Appendix B",
            },
        },
    }
    # over time (#14): the SYNTHETIC extract and each outcome's synthetic baseline column
    for o in meta["outcomes[]"]:
        o["baseline"] = f"{o['column']}_pre12m"
    meta["extract"] = {
        "synthetic": True,
        "crimes_csv": "crimes.csv",
        "randomisation_csv": "randomisation.csv",
        "start_date": "2021-02-01",
        "end_date": "2025-03-31",
        "programme_months": 12,
        "windows_months": [6, 12, 18, 24],
        "baseline_months": [12, 24],
        "note": ("SYNTHETIC: the Report publishes no dates; randomisation dates, crime dates, "
                 "baseline crimes and crimes after month 12 are invented to illustrate the "
                 "over-time analyses (build_extract.py). The 12-month counts and harm equal "
                 "people.csv."),
        "source": "build_extract.py (invented); randomisation from February 2023: Report, "
                  "'What is Focused Deterrence?'",
    }
    return meta


def write_toml(ht):
    lines = ["# Focused Deterrence trial metadata. Generated by build.py; do not edit by hand.",
             "# Every figure carries `source`: the Report section or DOMAIN.md inference it comes from."]
    _toml_table([], trial_metadata(ht), lines)
    (OUT / "trial.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cell_stats(people, arm, age, col):
    x = np.array([value(p, col) for p in people if p["arm"] == arm and p["age_group"] == age], float)
    return len(x), x.sum(), float(np.dot(x, x)), x.mean(), x.std(ddof=1)


def write_readme(people, ht, checks):
    L = []
    a = L.append
    a("**SYNTHETIC DATA: these 131 people are synthetic, reconstructed from published aggregates; nothing in this folder describes a real person.**")
    a("")
    a("# Focused Deterrence trial: bundled synthetic data set")
    a("")
    a("Generated by `build.py` (fixed seed %d; `.venv/bin/python data/focused_deterrence/build.py`; "
      "two runs give byte-identical files). Do not edit the generated files by hand." % SEED)
    a("")
    a("Source: Olphin, T., Bottomley, S., Webb, A. & Stock, M. (2024) *What Works Series: Focused Deterrence "
      "12 Month Findings*, Thames Valley Violence Prevention Partnership (\"the Report\"), and the inferences in "
      "`shared/DOMAIN.md`.")
    a("")
    a("The person-level rows reproduce every Appendix B mean (to 2 decimals), Welch t and df (to R's printed 5 "
      "significant digits) for all ages and for the 11-17 subgroup. They do **not** carry any other information "
      "about the real trial: who has which count, the shape of the harm distribution, the pairing of outcomes "
      "within a person, and who engaged are all invented by a seeded random search.")
    a("")
    a("## Files")
    a("")
    a("| file | content |")
    a("|---|---|")
    a("| `people.csv` | 131 synthetic people, one row each (booleans `true`/`false`, missing = empty field) |")
    a("| `people.parquet` | same content; `engaged` nullable boolean, counts int64, harm float64, missing = null |")
    a("| `appendix_b.csv` | Appendix B as printed (all values kept as the printed text) |")
    a("| `trial.toml` | trial metadata for the app: citation, arms, outcomes, subgroup, engagement, costs, support offers, unit costs of crime; each figure with its `source` |")
    a("| `build.py` | the generator; all published figures are constants in it with their source |")
    a("| `crimes.csv` | **SYNTHETIC, dates invented**: one row per crime and person (`person_id`, `date`, `offence`, `role`, `police_initiated`, `harm` in days); its 12-month aggregation reproduces every count and harm in people.csv exactly. Written by `build_extract.py` (see below) |")
    a("| `randomisation.csv` | **SYNTHETIC, dates invented**: `person_id`, `arm`, `age_group`, `randomisation_date` (working days, 1 February to 31 July 2023) |")
    a("")
    a("## Columns of people.csv / people.parquet")
    a("")
    a("| column | type | content and how it was built | source of the figures |")
    a("|---|---|---|---|")
    a("| `person_id` | text | `FD0001`..`FD0131`, assigned after a seeded shuffle of the rows (not ordered by arm) | - |")
    a("| `arm` | text | `treatment` (45) or `control` (86) | treatment 45: Report, 'What are we testing?'; control 86: DOMAIN.md inference from Appendix B |")
    a("| `age_group` | text | `11-17` or `18-25`; treatment 20 / 25, control 50 / 36 | Report, 'Cohort and Trial Methodology' (caseloads 20, 25); DOMAIN.md inference (control 50 under 18) |")
    a("| `engaged` | boolean, empty for control | 17 of 20 (11-17) and 10 of 25 (18-25) treated people engaged; who engaged is drawn at random, independent of outcomes | Report, 'Key Findings Summary', 'Sub-group analysis', 'What does this mean?' |")
    a("| `non_engagement_reason` | text, may be empty | 18-25 non-engagers: 2 `secure estate`, 1 `withdrawn (mental-health suitability)`, 1 `wanted by police`, 7 `uncontactable`, 4 empty (not recorded in the Report). The 3 under-18 non-engagers: empty (the Report gives no reason). Empty for engagers and for control | Report, 'What does this mean?' |")
    for role in ROLES:
        a(f"| `{role}_harm` | float, 2 decimals | Total Cambridge Crime Harm Index score as {role} over the 12 months (days). Cell means and SDs forced to the values solved from Appendix B (see below); > 0 for everyone with any {role} count > 0"
          + ("; 0 for most people with none (a few, about 12% of zero-count people, get a small harm standing for crimes outside the four counts, e.g. drugs)" if role == "suspect" else "; 0 for everyone with no victim count")
          + " | Report, Appendix B; DOMAIN.md (SD inference) |")
        npi_ok = all(p[f"{role}_non_police_initiated"] >= p[f"{role}_violent_sexual"] for p in people)
        for o in COUNT_OUTCOMES:
            extra = {
                "knife": f"knife-related crimes as {role}",
                "violent": f"violent crimes (assault without injury up to homicide, incl. robbery) as {role}",
                "violent_sexual": (f"violent or sexual crimes as {role}; per person "
                                   f"`{role}_violent_sexual >= {role}_violent`"),
                "non_police_initiated": (f"non-police-initiated crimes as {role}; "
                                         + (f"per person >= `{role}_violent_sexual` (violent and sexual crimes are "
                                            "reported by the public, so they are non-police-initiated)"
                                            if npi_ok else "not constrained against the other counts")),
            }[o]
            a(f"| `{role}_{o}` | int | count of {extra}; cell sums and sums of squares exactly as below | DOMAIN.md table (inferred from Appendix B) |")
    for role in ROLES:
        for o in OUTCOMES:
            what = {"harm": "total crime harm (days)", "knife": "knife-related crimes",
                    "violent": "violent crimes", "violent_sexual": "violent or sexual crimes",
                    "non_police_initiated": "non-police-initiated crimes"}[o]
            a(f"| `{role}_{o}_pre12m` | {'float, 2 decimals' if o == 'harm' else 'int'} | **SYNTHETIC baseline, not from the Report**: {what} as {role} in the 12 months before randomisation, counted from crimes.csv | invented (build_extract.py); the Report publishes no baseline figures |")
    a("")
    a("## The synthetic crimes extract (crimes.csv, randomisation.csv)")
    a("")
    a("The Report publishes no dates. `build_extract.py` invents them to illustrate the over-time analyses (the Over time page); they carry **no** information about the real trial. Rules: randomisation staggered over working days from 1 February 2023 (the Report: delivery from February 2023, cases taken on in stages) to 31 July 2023 (invented); each person's crimes in the 12 months from randomisation reproduce their people.csv counts and harm exactly (the 12-month harm split over their crimes; a knife crime beyond the non-police-initiated count is flagged police-initiated); baseline crimes satisfy the eligibility rule (a knife offence as suspect in the 12 months before randomisation and one more knife, violent or sexual offence as suspect in the 24 months before), with more baseline crimes for people ranked higher on follow-up offending within their arm and cohort, their number, offences and harm fixed functions of that rank (only the days are drawn), so baseline predicts follow-up and the arms' baselines match by construction; after month 12 each person offends at their own first-year rate, so **by construction the synthetic effect neither fades nor grows after the programme**; the extract ends on 31 March 2025 (invented), so people randomised after March 2023 have less than 24 months of follow-up. Harm per crime outside the first year uses invented typical days per offence (`TYPICAL_DAYS` in build_extract.py), not the licensed Cambridge Crime Harm Index.")
    a("")
    a("## How the rows were built")
    a("")
    a("1. **Cells.** Four cells (arm x age group). The under-18 cell figures come straight from the Appendix B "
      "'Under 18' rows; the 18-25 cell figures are all ages minus under 18 (table below).")
    a("2. **Counts.** For each cell and role, the violent-count multiset (n non-negative integers with the exact "
      "sum and sum of squares) is drawn from a negative binomial with matching mean and variance and then "
      "repaired by single-unit moves; values go to people by a latent propensity (suspect propensity and victim "
      "propensity correlate, rho = 0.5). `violent_sexual` is built as violent plus non-negative increments, and "
      "`non_police_initiated` as violent_sexual plus non-negative increments, each searched until sum and sum of "
      "squares are exact. `knife` is an independent exact multiset assigned to people ranked by propensity and "
      "violent count (with noise), so knife and violent offending go together but not perfectly.")
    a("3. **Harm.** For each role the two SDs are solved from the printed Welch t and df at the printed means "
      "(means taken exactly as printed; sum = mean x n is a whole number of pence). Each person with harm gets a "
      "simulated 'shape' score (log-normal days per crime by type), transformed as `1 + c * score^p` with `c`, `p` "
      "chosen so the cell sum and sum of squares hit the targets, rounded to pence, and repaired by one-penny moves "
      "so the sum is exact and the sum of squares is within 1 penny^2 of the target.")
    a("4. **Engagement** drawn at random in the treatment arm with the published numbers and reasons.")
    a("5. **Checks** inside `build.py`: exact count sums/sums of squares, `violent_sexual >= violent`, harm rules, "
      "and every Appendix B mean, t and df reproduced.")
    a("")
    a("## Harm SDs solved from Appendix B")
    a("")
    a("The Welch-Satterthwaite equation has up to two roots. DOMAIN.md rule: keep the root whose 18-25 remainder "
      "has a non-negative variance. For **victim** harm only one combination survives. For **suspect** harm all "
      "four combinations (2 roots all ages x 2 roots under 18) leave a non-negative remainder, so a tie-break was "
      "needed: the combination whose SDs are closest to equal in both rows (smallest sum of |log(SD_T/SD_C)|). "
      "This is a choice, not something the Report determines; the alternatives are listed.")
    a("")
    a("| role | root (all, u18) | SD T all | SD C all | SD T u18 | SD C u18 | 18-25 SD T | 18-25 SD C | feasible | chosen |")
    a("|---|---|---|---|---|---|---|---|---|---|")
    for role in ROLES:
        ch = ht[role]["chosen"]
        for c in ht[role]["combos"]:
            sds = []
            for arm in ARMS:
                n_, S_c, Q_c2 = c["cells"][(arm, "18-25")]
                S, Q = S_c / 100, Q_c2 / 1e4
                v = (Q - S * S / n_) / (n_ - 1)
                sds.append(f"{math.sqrt(v):.2f}" if v >= 0 else "negative variance")
            a(f"| {role} | ({c['all_root']}, {c['u18_root']}) | {c['sd_all'][0]:.2f} | {c['sd_all'][1]:.2f} | "
              f"{c['sd_u18'][0]:.2f} | {c['sd_u18'][1]:.2f} | {sds[0]} | {sds[1]} | "
              f"{'yes' if c['feasible'] else 'no'} | {'**yes**' if c is ch else ''} |")
    a("")
    a("## Figures the published rows force on the 18-25 cohort")
    a("")
    a("All ages minus under 18 (treatment n = 25, control n = 36). Counts are exact integers; harm sums are exact "
      "to the penny, harm sums of squares follow from the chosen SD roots (computed from the built file). "
      "SD is the sample SD (n - 1).")
    a("")
    a("| outcome | n T | n C | sum T | sum C | sum sq T | sum sq C | mean T | mean C | SD T | SD C |")
    a("|---|---|---|---|---|---|---|---|---|---|---|")
    for role in ROLES:
        for o in OUTCOMES:
            col = f"{role}_{o}"
            nT_, sT, qT, mT, sdT = _cell_stats(people, "treatment", "18-25", col)
            nC_, sC, qC, mC, sdC = _cell_stats(people, "control", "18-25", col)
            if o == "harm":
                a(f"| `{col}` | {nT_} | {nC_} | {sT:.2f} | {sC:.2f} | {qT:.2f} | {qC:.2f} | {mT:.3f} | {mC:.3f} | {sdT:.3f} | {sdC:.3f} |")
            else:
                a(f"| `{col}` | {nT_} | {nC_} | {int(sT)} | {int(sC)} | {int(qT)} | {int(qC)} | {mT:.3f} | {mC:.3f} | {sdT:.3f} | {sdC:.3f} |")
    a("")
    a("## Appendix B reproduced from people.csv (Welch t-test)")
    a("")
    a("p-values follow from t and df; the Report mixes sidedness (DOMAIN.md): two-sided for suspect harm and "
      "every victim row, one-sided (treatment lower) for every suspect count row.")
    a("")
    a("| group | outcome | mean T (printed / data) | mean C (printed / data) | t (printed / data) | df (printed / data) | p sidedness |")
    a("|---|---|---|---|---|---|---|")
    for (g, role, o, mT, mC, t, df, ok), r in zip(checks, APPENDIX_B):
        rec = dict(zip(APPENDIX_B_COLUMNS, r))
        a(f"| {g} | {role}_{o} | {rec['mean_treatment']} / {mT:.4f} | {rec['mean_control']} / {mC:.4f} | "
          f"{rec['t']} / {t:.6g} | {rec['df']} / {df:.6g} | {sidedness(role, o)} |")
    a("")
    a("## appendix_b.csv")
    a("")
    a("Columns `group` (`all`, `under_18`), `role` (`suspect`, `victim`), `outcome` (`harm`, `knife`, `violent`, "
      "`violent_sexual`, `non_police_initiated`; `role + \"_\" + outcome` is the people.csv column), "
      "`mean_treatment`, `mean_control`, `percent_change` (printed, without `%`), `t`, `df`, `p_reported`, "
      "`likelihood_reported`: text exactly as printed in the Report's Appendix B (e.g. `1.8`, `-25.7`, `0.43`). "
      "The 'likelihood' column is the Report's wording; it misreads a p-value and should not be shown as a probability that the result is due to chance.")
    a("")
    (OUT / "README.md").write_text("\n".join(L), encoding="utf-8")


def write_extract(people):
    """The synthetic crimes extract and randomisation list (dates invented); adds the
    ``*_pre12m`` baseline columns to ``people``."""
    from build_extract import build_extract

    crimes, randomisation = build_extract(people, SEED)
    for name, rows in (("crimes.csv", crimes), ("randomisation.csv", randomisation)):
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        (OUT / name).write_text(buf.getvalue(), encoding="utf-8", newline="")


def main():
    people, tg, ht = build()
    checks = check(people, tg)
    write_extract(people)
    write_people(people)
    write_appendix_b()
    write_toml(ht)
    write_readme(people, ht, checks)
    print(f"wrote {len(people)} people and metadata to {OUT}")


if __name__ == "__main__":
    main()
