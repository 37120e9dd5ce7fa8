"""Forms and templates in one zip, to share between deployments (as municipalities share
forms): `manifest.json` lists each YAML file with its form id, version and SHA-256.

Reading a bundle trusts nothing in it: the zip's size, its number of members, each
member's size as read (not as declared), the names (only those the manifest lists, plain
relative paths), and the checksums are all checked before a file is used; each YAML is
then read by the parser's reader like an upload. No Flask, no database.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

FORMAT = "tetsuzuki-forms/1"
MAX_BUNDLE_BYTES = 10 * 1024 * 1024  # the zip as sent
MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 512 * 1024  # one YAML file, uncompressed (as read)
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # everything read from one bundle
MEMBER_NAME = re.compile(r"(forms|templates)/[a-z0-9][a-z0-9._-]{0,120}\.yaml")


@dataclass(frozen=True)
class Entry:
    kind: str  # form | template
    name: str  # the file in the zip
    form_id: str
    version: int
    text: str


@dataclass
class Read:
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # 日本語 / English


def write(entries: Iterable[Entry]) -> bytes:
    """The bundle of the entries (names as given)."""
    buffer = io.BytesIO()
    listed = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for e in entries:
            data = e.text.encode("utf-8")
            zf.writestr(e.name, data)
            listed.append(
                {
                    "file": e.name,
                    "kind": e.kind,
                    "form_id": e.form_id,
                    "version": e.version,
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        manifest = {"format": FORMAT, "files": listed}
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def _member(zf: zipfile.ZipFile, name: str, budget: list[int]) -> bytes | None:
    """A member's bytes, read at most up to its limit (a declared size is not trusted)."""
    try:
        with zf.open(name) as f:
            data = f.read(MAX_MEMBER_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
        return None
    except Exception:  # noqa: BLE001 - zlib.error and the like: a broken member, not ours to fix
        return None
    if len(data) > MAX_MEMBER_BYTES:
        return None
    budget[0] -= len(data)
    return data if budget[0] >= 0 else None


def read(raw: bytes) -> Read:
    out = Read()
    if len(raw) > MAX_BUNDLE_BYTES:
        out.problems.append("ファイルが大きすぎます / the bundle is too large")
        return out
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        out.problems.append("zipファイルとして読めません / not a zip file")
        return out
    if len(infos) > MAX_MEMBERS:
        out.problems.append("ファイルの数が多すぎます / too many files in the bundle")
        return out
    budget = [MAX_TOTAL_BYTES]
    manifest_bytes = _member(zf, "manifest.json", budget)
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8")) if manifest_bytes else None
    except (UnicodeDecodeError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        out.problems.append(
            "manifest.json がないか、形式が違います / manifest.json is missing or not of this format"
        )
        return out
    files = manifest.get("files")
    if not isinstance(files, list) or len(files) > MAX_MEMBERS:
        out.problems.append("manifest.json の files が読めません / manifest.json lists no files")
        return out
    for item in files:
        if not isinstance(item, dict):
            continue
        name, kind = item.get("file"), item.get("kind")
        if (
            not isinstance(name, str)
            or not MEMBER_NAME.fullmatch(name)
            or kind not in ("form", "template")
        ):
            out.problems.append(f"{str(name)[:80]}: 使えない名前です / a name that cannot be used")
            continue
        data = _member(zf, name, budget)
        if data is None:
            out.problems.append(f"{name}: 読めないか大きすぎます / unreadable or too large")
            continue
        if hashlib.sha256(data).hexdigest() != item.get("sha256"):
            out.problems.append(f"{name}: チェックサムが合いません / checksum does not match")
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            out.problems.append(f"{name}: UTF-8ではありません / not UTF-8")
            continue
        form_id = item.get("form_id") if isinstance(item.get("form_id"), str) else ""
        version = item.get("version") if isinstance(item.get("version"), int) else 0
        out.entries.append(Entry(kind, name, form_id[:100], version, text))
    return out
