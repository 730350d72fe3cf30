"""Generate the FICTIONAL example offence-level files in this folder (seeded, reproducible).

    .venv/bin/python data/examples/make_examples.py

Writes crimes_example.csv (one row per crime and person involved) and
randomisation_example.csv (one row per randomised person). Nobody in them is
real; the offences, dates and harm values are invented to show the file
layouts. Two runs give byte-identical files.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240601
HERE = Path(__file__).resolve().parent
N_PEOPLE = 160
OFFENCES = {  # invented frequencies, not taken from any real data
    "violence_without_injury": 30, "violence_with_injury": 14, "violence_with_injury_knife": 4,
    "robbery_personal": 5, "robbery_personal_knife": 3, "threaten_with_blade": 3,
    "possession_bladed_article": 6, "other_sexual": 2, "rape": 1, "burglary": 5, "theft": 12,
    "criminal_damage": 8, "public_order": 9, "drugs_possession": 10, "drugs_supply": 3,
    "vehicle_crime": 3,
}
POLICE_FOUND = {"possession_bladed_article", "drugs_possession", "drugs_supply"}


def make(seed: int = SEED):
    rng = np.random.default_rng(seed)
    ids = [f"N{i:05d}" for i in rng.choice(np.arange(10000, 99999), N_PEOPLE, replace=False)]
    arm = np.where(rng.permutation(N_PEOPLE) < N_PEOPLE // 2, "FD", "BAU")
    age = np.where(rng.random(N_PEOPLE) < 0.5, "11-17", "18-25")
    start = pd.Timestamp("2023-02-01") + pd.to_timedelta(rng.integers(0, 90, N_PEOPLE), "D")
    engaged = np.where(arm == "FD", np.where(rng.random(N_PEOPLE) < 0.6, "yes", "no"), "")
    people = pd.DataFrame({"nominal_id": ids, "allocation": arm, "randomisation_date":
                           start.strftime("%Y-%m-%d"), "age_band": age, "engaged": engaged})
    # crimes: each person a propensity; the programme arm slightly lower (invented)
    rate = rng.gamma(0.8, 2.5, N_PEOPLE) * np.where(arm == "FD", 0.8, 1.0)
    n_sus = rng.poisson(rate * 2.5)        # over the 30 months covered by the extract
    n_vic = rng.poisson(rate * 0.8)
    names = list(OFFENCES)
    p = np.array(list(OFFENCES.values()), float)
    p /= p.sum()
    rows = []
    for who, counts, role in ((ids, n_sus, "Suspect"), (ids, n_vic, "Victim")):
        person = np.repeat(np.arange(N_PEOPLE), counts)
        offence = rng.choice(names, len(person), p=p)
        if role == "Victim":  # people are not victims of possession offences
            offence = np.where(np.isin(offence, list(POLICE_FOUND)), "theft", offence)
        day = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, len(person)), "D")
        rows.append(pd.DataFrame({"nominal_id": np.asarray(ids)[person],
                                  "offence_date": day.strftime("%d/%m/%Y"),
                                  "offence": offence, "involvement": role}))
    crimes = pd.concat(rows, ignore_index=True)
    found = crimes["offence"].isin(POLICE_FOUND)
    flag = np.where(found, "Y", "N")
    flag[rng.random(len(crimes)) < 0.1] = ""   # sometimes not recorded
    crimes["police_generated"] = flag
    crimes = crimes.iloc[rng.permutation(len(crimes))].reset_index(drop=True)
    return crimes, people


def main():
    crimes, people = make()
    crimes.to_csv(HERE / "crimes_example.csv", index=False, lineterminator="\n")
    people.to_csv(HERE / "randomisation_example.csv", index=False, lineterminator="\n")
    print(f"{len(crimes)} crime rows, {len(people)} people")


if __name__ == "__main__":
    main()
