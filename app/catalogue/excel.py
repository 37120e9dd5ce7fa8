"""What a spreadsheet does to a catalogue file on its way back. Excel opens the exported
UTF-8 file correctly, but "CSV (コンマ区切り)", the type it offers when the file is saved,
is Shift_JIS (CP932): a character CP932 cannot hold ("ō" of Tōkyō, "é", "ü", an emoji)
silently becomes "?". The export warns about each such text;
the import refuses a "?" that stands where the stored text has such a character."""

from __future__ import annotations

from pathlib import Path

from . import csvfiles as cf

ADVICE = (
    "Excelで保存するときは「CSV UTF-8（コンマ区切り）」を選んでください",
    "in Excel, save as 'CSV UTF-8 (Comma delimited)'",
)


def unencodable(text: str | None) -> list[str]:
    """The characters of `text` that CP932 cannot hold, each once, in order."""
    out: list[str] = []
    for char in text or "":
        if char not in out:
            try:
                char.encode("cp932")
            except UnicodeEncodeError:
                out.append(char)
    return out


def as_saved_in_cp932(text: str) -> str:
    """`text` after a save as Shift_JIS: each character CP932 cannot hold is a "?"."""
    return text.encode("cp932", errors="replace").decode("cp932")


def lost_characters(new: str | None, stored: str | None) -> list[str]:
    """The characters of the stored text that became "?" in the new one (a save in
    CP932 and nothing else), or [] when the new text is not that."""
    if not new or not stored or new == stored or "?" not in new:
        return []
    if as_saved_in_cp932(stored) != new:
        return []
    return unencodable(stored)


def refusal(label: str, line: int, column: str, stored: str, lost: list[str]) -> cf.Problem:
    chars = "、".join(f"「{c}」(U+{ord(c):04X})" for c in lost)
    return cf.Problem(
        label,
        line,
        f"{column} の「?」は、登録済みの「{stored}」のうち Shift_JIS（CP932）で表せない文字 {chars}"
        f" が置き換わったものです。取り込むと文字が失われます。{ADVICE[0]}"
        f" / {column}: the '?' stands for {chars} of the recorded '{stored}', which"
        f" Shift_JIS (CP932) cannot hold; importing it would lose them: {ADVICE[1]}",
    )


def file_warnings(path: Path) -> list[cf.Problem]:
    """Each cell of a written catalogue file that a save as CP932 would turn into "?"."""
    problems: list[cf.Problem] = []
    table = cf.read_table(path, str(path), problems, [], (), ())
    out = []
    for line, row in table.rows if table else []:
        for column, value in row.items():
            lost = unencodable(value)
            if lost:
                chars = "、".join(f"「{c}」" for c in lost)
                out.append(
                    cf.Problem(
                        str(path),
                        line,
                        f"{column} の {chars} は Shift_JIS（CP932）で表せません。"
                        f"「CSV（コンマ区切り）」で保存すると「?」になり、取込で止まります。{ADVICE[0]}"
                        f" / {column}: {chars} cannot be held by Shift_JIS (CP932): saved as"
                        f" 'CSV (Comma delimited)' it becomes '?' and the import stops; {ADVICE[1]}",
                    )
                )
    return out
