"""The Nu HTML Checker (vnu.jar, the W3C's validator) over every page the browser journeys
reached — the HTML as the server sent it, kept by `make e2e` beside the screenshots in
e2e/artifacts/ — and over the site's stylesheets. Exits 1 with each error, 0 when there
is none. Run by `make conformance` after `make e2e`:

    python e2e/nu_check.py path/to/vnu.jar
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "e2e" / "artifacts"
STYLESHEETS = sorted((ROOT / "app" / "static").rglob("*.css"))


def pages() -> dict[str, list[Path]]:
    """Each distinct page (by its bytes) → the artefacts that have it."""
    out: dict[str, list[Path]] = {}
    for path in sorted(ARTEFACTS.rglob("*.html")):
        out.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(path)
    return out


def check(jar: Path, files: list[Path], *mode: str) -> list[dict]:
    done = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", "--stdout", *mode,
         *map(str, files)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    if done.returncode not in (0, 1) or not done.stdout.strip():
        sys.exit(f"vnu did not run ({done.returncode}): {done.stderr.strip()[:2000]}")
    return [m for m in json.loads(done.stdout)["messages"] if m.get("type") == "error"]


def main(jar: Path) -> int:
    found = pages()
    if not found:
        print("no pages in e2e/artifacts: run `make e2e` first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        distinct = []
        names = {}
        for n, paths in enumerate(found.values()):
            copy = Path(tmp) / f"page-{n:03d}.html"  # one check per distinct page
            copy.write_bytes(paths[0].read_bytes())
            distinct.append(copy)
            names[copy.name] = [str(p.relative_to(ARTEFACTS)) for p in paths]
        errors = check(jar, distinct, "--html") + check(jar, STYLESHEETS, "--css")
    for e in errors:
        url = e.get("url", "")
        where = names.get(url.rsplit("/", 1)[-1], [url.removeprefix("file:")])
        print(f"{where[0]}:{e.get('lastLine', '?')}: {e['message']}"
              + (f"  (also {len(where) - 1} more)" if len(where) > 1 else ""))
    count = sum(len(p) for p in found.values())
    print(f"Nu HTML Checker: {len(errors)} errors in {len(found)} distinct pages "
          f"({count} kept by the journeys) and {len(STYLESHEETS)} stylesheets")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
