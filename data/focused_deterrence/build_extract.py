"""SYNTHETIC crimes extract and randomisation list for the bundled trial (called by build.py).

The Report publishes no dates. Everything dated here is invented to illustrate the
over-time analyses (time to first offence, follow-up windows, baselines); it carries no
information about the real trial. What is fixed:

* randomisation staggered over working days from 1 February 2023 (the Report: delivery
  from February 2023, cases taken on in stages), to the end of July 2023 (invented);
* each person's crimes in the 12 months from randomisation reproduce their people.csv
  counts (knife, violent, violent or sexual, non-police-initiated) and harm exactly, as
  suspect and as victim;
* baseline crimes satisfy the eligibility rule (DOMAIN.md): at least one knife offence as
  suspect in the 12 months before randomisation and one more knife, violent or sexual
  offence as suspect in the 24 months before; their number, offences and harm are fixed
  functions of each person's rank within their arm and cohort (only the days are drawn),
  so baseline predicts follow-up and the arms' baselines match by construction;
* after month 12, each person offends at their own first-year rate: by construction the
  synthetic effect neither fades nor grows after the programme;
* the extract ends on 31 March 2025 (invented), so later-randomised people have less than
  24 months of follow-up.

Harm is given per crime in the extract's ``harm`` column (days, invented; the Cambridge
Crime Harm Index is licensed and not shipped).
"""
from __future__ import annotations

import datetime as dt

import numpy as np

ROLES = ("suspect", "victim")
EXTRACT_END = dt.date(2025, 3, 31)
FIRST_RANDOMISATION = dt.date(2023, 2, 1)
LAST_RANDOMISATION = dt.date(2023, 7, 31)
BASELINE_COLUMNS = [f"{r}_{o}_pre12m" for r in ROLES
                    for o in ("harm", "knife", "violent", "violent_sexual",
                              "non_police_initiated")]
# typical days of harm per offence: INVENTED for the synthetic extract (baseline crimes
# and crimes after month 12); first-year harm is split from people.csv instead
TYPICAL_DAYS = {"violence_with_injury_knife": 80, "robbery_personal_knife": 150,
                "violence_without_injury_knife": 10, "violence_with_injury": 40,
                "violence_without_injury": 5, "robbery_personal": 100, "other_sexual": 60,
                "rape": 400, "threaten_with_blade": 30, "possession_bladed_article": 20,
                "theft": 2, "burglary": 30, "criminal_damage": 4, "public_order": 2,
                "vehicle_crime": 3, "drugs_possession": 1}
KNIFE_VIOLENT = ("violence_with_injury_knife", "violence_without_injury_knife",
                 "robbery_personal_knife")
VIOLENT = ("violence_with_injury", "violence_without_injury", "robbery_personal")
SEXUAL = ("other_sexual",)
OTHER_NPI = ("theft", "burglary", "criminal_damage", "public_order", "vehicle_crime")
# baseline crimes beyond the eligibility ones, taken in this order (invented)
SUSPECT_POOL = ("theft", "threaten_with_blade", "violence_without_injury", "public_order",
                "criminal_damage", "violence_with_injury", "drugs_possession", "other_sexual")
VICTIM_POOL = ("violence_without_injury", "violence_with_injury_knife", "theft",
               "robbery_personal")
# group membership (knife, violent, violent_sexual, non_police_initiated), as in
# data/offence_groups_example.csv
GROUPS = {o: (o.endswith("_knife") or o in ("threaten_with_blade", "possession_bladed_article"),
              o in KNIFE_VIOLENT + VIOLENT, o in KNIFE_VIOLENT + VIOLENT + SEXUAL + ("rape",),
              o not in ("possession_bladed_article", "drugs_possession"))
          for o in TYPICAL_DAYS}


def add_months(d: dt.date, k: int) -> dt.date:
    """Same day k months later, clamped to the month's end (as the aggregation)."""
    m = d.month - 1 + k
    y, m = d.year + m // 12, m % 12 + 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(d.day, last))


def _working_days(a: dt.date, b: dt.date) -> list[dt.date]:
    days = [a + dt.timedelta(i) for i in range((b - a).days + 1)]
    return [d for d in days if d.weekday() < 5]


def _first_year_offences(rng, k, v, vs, n):
    """Offence codes whose group counts are exactly (k, v, vs, n), plus police-initiated
    flags ("" = as the groups file says, "Y" = found by police)."""
    a = min(k, v)
    offences = list(rng.choice(KNIFE_VIOLENT, a)) if a else []
    flags = [""] * a
    rest_knife = k - a
    budget = n - vs                       # non-police-initiated crimes outside violent/sexual
    threaten = min(rest_knife, budget)
    offences += ["threaten_with_blade"] * threaten
    flags += [""] * threaten
    # a knife crime beyond that budget is one the police found (not non-police-initiated)
    offences += ["threaten_with_blade"] * (rest_knife - threaten)
    flags += ["Y"] * (rest_knife - threaten)
    offences += list(rng.choice(VIOLENT, v - a)) if v - a else []
    offences += list(rng.choice(SEXUAL, vs - v)) if vs - v else []
    other = budget - threaten
    offences += list(rng.choice(OTHER_NPI, other)) if other else []
    flags += [""] * (v - a + vs - v + other)
    return [str(o) for o in offences], flags


def _split_pence(rng, total, offences):
    """Split ``total`` pence over the crimes by typical severity (each at least 1p)."""
    w = np.array([TYPICAL_DAYS[o] for o in offences], float) * rng.lognormal(0, 0.5, len(offences))
    share = np.floor(w / w.sum() * (total - len(offences))).astype(int) + 1
    share[np.argmax(w)] += total - share.sum()
    return share.tolist()


def _day_in(rng, a: dt.date, b: dt.date) -> dt.date:
    """A day in [a, b)."""
    return a + dt.timedelta(int(rng.integers(0, (b - a).days)))


def _typical_pence(rng, offence):
    return max(1, int(round(TYPICAL_DAYS[offence] * rng.lognormal(0, 0.3) * 100)))


def _rank_in_cell(people, role):
    """Each person's rank percentile of follow-up offending within arm x cohort."""
    pct = {}
    cells = {}
    for p in people:
        cells.setdefault((p["arm"], p["age_group"]), []).append(p)
    for members in cells.values():
        key = sorted(members, key=lambda p: (p[f"{role}_non_police_initiated"], p["person_id"]))
        for i, p in enumerate(key):
            pct[p["person_id"]] = (i + 0.5) / len(key)
    return pct


def build_extract(people: list[dict], seed: int):
    """Crimes rows, randomisation rows; adds ``*_pre12m`` baseline counts to each person.

    ``people`` are build.py's dicts (counts and ``<role>_harm_pence``), in any order; the
    result is deterministic for a seed.
    """
    rng = np.random.default_rng(seed + 14)
    people = sorted(people, key=lambda p: p["person_id"])
    days = _working_days(FIRST_RANDOMISATION, LAST_RANDOMISATION)
    picks = np.sort(rng.choice(len(days), len(people), replace=True))
    order = rng.permutation(len(people))     # who is randomised when
    start = {people[i]["person_id"]: days[picks[j]] for j, i in enumerate(order)}
    pct = {r: _rank_in_cell(people, r) for r in ROLES}
    crimes = []

    def add(pid, date, offence, role, pence, flag=""):
        crimes.append((pid, date.isoformat(), offence, role, flag, pence))

    for p in people:
        pid = p["person_id"]
        s = start[pid]
        end12 = add_months(s, 12)
        for role in ROLES:
            k, v, vs, n = (p[f"{role}_{o}"] for o in ("knife", "violent", "violent_sexual",
                                                     "non_police_initiated"))
            offences, flags = _first_year_offences(rng, k, v, vs, n)
            pence = p[f"{role}_harm_pence"]
            if pence and not offences:          # harm from crimes outside the four groups
                offences, flags = ["drugs_possession"], [""]
            if offences:
                for o, f, h in zip(offences, flags, _split_pence(rng, pence, offences)):
                    add(pid, _day_in(rng, s, end12), o, role, h, f)
            # after month 12: the person's own first-year rate, to the extract's end
            stop = min(add_months(s, 24), EXTRACT_END + dt.timedelta(1))
            if offences and stop > end12:  # Poisson at the first-year rate, same offence mix
                share = (stop - end12).days / (end12 - s).days
                for _ in range(int(rng.poisson(len(offences) * share))):
                    o = str(rng.choice(offences))
                    add(pid, _day_in(rng, end12, stop), o, role, _typical_pence(rng, o))
            # baseline: eligibility crimes (suspect), then more by rank in the cell. Counts,
            # offences and harm are fixed functions of the within-cell rank u (only the
            # days are random), so the arms get the same baseline distribution and any
            # baseline imbalance is not an invented finding
            u = pct[role][pid]
            lo12, lo24 = add_months(s, -12), add_months(s, -24)
            base = []
            if role == "suspect":
                base.append(("possession_bladed_article" if u < 0.5
                             else "violence_with_injury_knife", lo12))          # in 12 months
                base.append(("violence_without_injury", lo24))                  # 12-24 months
                n12, n24, pool = int(3 * u ** 2), int(2 * u), SUSPECT_POOL
            else:
                n12, n24, pool = int(2.5 * u ** 3), int(1.3 * u ** 2), VICTIM_POOL
            base += [(pool[j % len(pool)], lo12) for j in range(n12)]
            base += [(pool[(j + n12) % len(pool)], lo24) for j in range(n24)]
            for o, lo in base:
                hi = s if lo == lo12 else lo12
                add(pid, _day_in(rng, lo, hi), o, role, TYPICAL_DAYS[o] * 100)
        # baseline columns, counted here from the rows just made (not by the aggregation)
        for role in ROLES:
            lo = add_months(s, -12)
            mine = [c for c in crimes if c[0] == pid and c[3] == role
                    and lo.isoformat() <= c[1] < s.isoformat()]
            p[f"{role}_harm_pre12m_pence"] = sum(c[5] for c in mine)
            for j, g in enumerate(("knife", "violent", "violent_sexual", "non_police_initiated")):
                p[f"{role}_{g}_pre12m"] = sum(
                    GROUPS[c[2]][j] if not (j == 3 and c[4] == "Y") else False for c in mine)
    crimes.sort(key=lambda c: (c[1], c[0], c[3], c[2]))
    rows = [{"person_id": c[0], "date": c[1], "offence": c[2], "role": c[3],
             "police_initiated": c[4], "harm": f"{c[5] // 100}.{c[5] % 100:02d}"}
            for c in crimes]
    randomisation = [{"person_id": p["person_id"], "arm": p["arm"], "age_group": p["age_group"],
                      "randomisation_date": start[p["person_id"]].isoformat()} for p in people]
    return rows, randomisation
