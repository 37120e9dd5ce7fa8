"""`flask forms import FILE --procedure CODE [-o out.yaml]`: a 様式 (PDF with form fields,
.xlsx, .docx) read into the YAML of a form, as "様式から作る" in the builder does it.

The YAML starts with comments for the author: the file read, the notes (a seal box left
out, …) and, per question, where it came from and whether it is to be checked. Check the
result with `flask forms check`, which the importer's draft already passes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.formengine.files import safe_name
from app.submissions import versions

from . import document, importing
from .importing.checks import MAX_BYTES

FORM_ID = re.compile(r"[a-z0-9-]{1,100}")


def header(name: str, imported: importing.Imported) -> str:
    """The comments above the YAML: what the author is to check."""
    lines = [f"# 様式から作りました / made from the 様式: {name}"]
    lines += [f"# {note}" for note in imported.marks["notes"]]
    for qid, mark in imported.marks["questions"].items():
        state = "要確認 / check" if not mark["sure"] else "取込 / imported"
        why = f" — {mark['why']}" if mark["why"] else ""
        lines.append(f"# {qid}: {mark['from']}（{state}）{why}")
    return "\n".join(line.replace("\n", " ") for line in lines) + "\n"


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--procedure", "code", required=True, help="手続コード / the procedure's code")
@click.option(
    "--id", "form_id", default=None, help="様式ID / the form's id (default: from the code)"
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="書き出すYAMLファイル（省略時は標準出力） / the YAML file to write (default: stdout)",
)  # fmt: skip
@with_appcontext
def import_command(file: Path, code: str, form_id: str | None, output: Path | None) -> None:
    """様式（PDF・.xlsx・.docx）からフォームのYAMLを作る / a form's YAML from a 様式."""
    codes = versions.catalogue_codes()
    if codes is not None and code not in codes:
        click.echo(f"手続 {code} がありません / no procedure {code}", err=True)
        sys.exit(1)
    form_id = form_id or code.lower().replace("_", "-")
    if not FORM_ID.fullmatch(form_id):
        click.echo(
            "様式IDは半角英小文字・数字・ハイフンで100文字以内にしてください / a form id is"
            " lower-case letters, digits and '-', at most 100",
            err=True,
        )
        sys.exit(1)
    with file.open("rb") as f:
        raw = f.read(MAX_BYTES + 1)
    name = safe_name(file.name)
    try:
        imported = importing.read_file(raw, name, form_id=form_id, procedure=code)
    except importing.Refused as exc:
        click.echo(f"{name}: {exc.message}", err=True)
        sys.exit(1)
    text = header(name, imported) + document.dump(imported.data)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{output}: {len(imported.marks['questions'])} 問 / questions", err=True)
    else:
        click.echo(text, nl=False)
    unsure = imported.unsure
    if unsure:
        click.echo(f"確認が必要な質問 / questions to check: {', '.join(unsure)}", err=True)
