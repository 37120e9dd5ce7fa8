"""Generated catalogues of any size, as CSV text (also used by the benchmark)."""

from __future__ import annotations

import random
from datetime import date

from app.kpi import DIGITIZATION_STATUSES

DEPARTMENTS = ["BOSAI", "KENDO", "KODOMO", "KANKYO", "IRYO", "CHIIKI", "NORIN", "KOYO"]
LADDER = ["paper", "planned", "partial", "online", "end_to_end"]


def synthetic_catalogue(
    n: int,
    years: range = range(2016, 2026),
    statuses_per: int = 3,
    prefix: str = "G-",
    seed: int = 1,
) -> dict[str, str]:
    """n procedures × len(years) volumes × statuses_per status rows, deterministic."""
    rnd = random.Random(seed)
    procs = ["code,name_ja,department_code,department_name,priority"]
    vols = ["code,fiscal_year,receipts,online_receipts"]
    hist = ["code,status,effective_date,note"]
    for i in range(n):
        code = f"{prefix}{i:05d}"
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        procs.append(f"{code},手続{i},{dept},部局{dept},{1 if i % 10 == 0 else 0}")
        base = rnd.randint(5, 5000)
        for y in years:
            vols.append(f"{code},{y},{max(0, base + rnd.randint(-base // 5, base // 5))},")
        step = 0
        for k in range(statuses_per):
            step = min(step + rnd.randint(0, 2), len(LADDER) - 1)
            day = date(years.start + k * max(1, len(years) // statuses_per), rnd.randint(4, 12), 1)
            hist.append(f"{code},{LADDER[step]},{day.isoformat()},")
    assert all(s in DIGITIZATION_STATUSES for s in LADDER)
    return {
        "procedures.csv": "\n".join(procs) + "\n",
        "volumes.csv": "\n".join(vols) + "\n",
        "status_history.csv": "\n".join(hist) + "\n",
    }
