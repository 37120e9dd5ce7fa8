"""`make import-quality`: how close the importer's drafts come to the forms a careful
author makes by hand from the same 様式 (tests/builder/yoshiki/: the files written by
bench/yoshiki_corpus.py, each beside its hand-written YAML).

Per format, over every question that takes an answer (headings and paragraphs not
counted):

    right  share of the imported questions whose label and type are the hand-made
           question's (labels compared as the importer matches them: NFKC, without
           spaces and brackets)
    found  share of the hand-made questions the draft has a question for (same label)

The target is at least 80% for both, per format. Prints a table, writes
bench/results/import_quality.json (BENCH_RESULTS to change the folder) and exits 1 when
a format misses the target.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.builder import document  # noqa: E402
from app.builder.importing import read_file  # noqa: E402
from app.builder.importing.meaning import key  # noqa: E402
from app.formengine.registry import FIELD_TYPES  # noqa: E402

CORPUS = ROOT / "tests" / "builder" / "yoshiki"
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results")
TARGET = 0.8
FORMATS = {".pdf": "pdf", ".xlsx": "xlsx", ".docx": "docx"}


def questions(data) -> list[tuple[str, str]]:
    """(label key, type) of every question of a form that takes an answer."""
    out = []
    for page in document.pages(data):
        for f in document.questions(page):
            t = FIELD_TYPES.get(document.type_name(f))
            if t is None or t.answer == "none":
                continue
            out.append((key(document.text_of(f.get("label"))), document.type_name(f)))
    return out


def compare(imported: list[tuple[str, str]], hand: list[tuple[str, str]]) -> dict:
    hand_types = defaultdict(list)
    for label, kind in hand:
        hand_types[label].append(kind)
    right = sum(1 for label, kind in imported if kind in hand_types.get(label, []))
    labels = {label for label, _ in imported}
    found = sum(1 for label, _ in hand if label in labels)
    return {"imported": len(imported), "hand": len(hand), "right": right, "found": found}


def measure(folder: Path = CORPUS) -> dict:
    """{format: {files, imported, hand, right, found, right_share, found_share, meets}}."""
    totals: dict[str, dict] = {}
    for path in sorted(folder.iterdir()):
        fmt = FORMATS.get(path.suffix)
        hand_file = path.with_suffix(".yaml")
        if fmt is None or not hand_file.exists():
            continue
        got = read_file(path.read_bytes(), path.name, form_id="measured", procedure="P-0000")
        hand, _ = document.read(hand_file.read_text(encoding="utf-8"))
        one = compare(questions(got.data), questions(hand))
        one["file"] = path.name
        t = totals.setdefault(fmt, {"files": [], "imported": 0, "hand": 0, "right": 0, "found": 0})
        t["files"].append(one)
        for k in ("imported", "hand", "right", "found"):
            t[k] += one[k]
    for t in totals.values():
        t["right_share"] = round(t["right"] / t["imported"], 3) if t["imported"] else 0.0
        t["found_share"] = round(t["found"] / t["hand"], 3) if t["hand"] else 0.0
        t["meets"] = t["right_share"] >= TARGET and t["found_share"] >= TARGET
    return totals


def main() -> int:
    totals = measure()
    print(f"{'format':<7} {'files':>5} {'imported':>8} {'right':>6} {'hand':>5} {'found':>6}  "
          f"{'right %':>7} {'found %':>7}  target ≥{TARGET:.0%}")  # fmt: skip
    for fmt, t in totals.items():
        print(
            f"{fmt:<7} {len(t['files']):>5} {t['imported']:>8} {t['right']:>6} {t['hand']:>5} "
            f"{t['found']:>6}  {t['right'] / max(t['imported'], 1):>7.0%} "
            f"{t['found'] / max(t['hand'], 1):>7.0%}  "
            f"{'yes' if t['meets'] else 'NO'}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "name": "import_quality",
        "unit": "share of questions",
        "target": f">= {TARGET} per format (right and found)",
        "formats": totals,
        "meets": all(t["meets"] for t in totals.values()) and len(totals) == 3,
    }
    (RESULTS / "import_quality.json").write_text(
        json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    )
    return 0 if out["meets"] else 1


if __name__ == "__main__":
    sys.exit(main())
