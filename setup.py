"""The wheel carries what `flask --app app …` needs outside this folder: the compiled
message catalogues (.mo, made here from the .po files) and, under app/shipped/, the
migrations, the shipped forms and the shipped catalogue (app/resources.py finds them).
Everything else is declared in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("migrations", "forms", "procedures", "deploy")


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders (make compiles the .mo)
        target = Path(self.build_lib) / "app"
        self._compile_catalogues(HERE / "app" / "translations", target / "translations")
        for name in SHIPPED:
            dest = target / "shipped" / name
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(
                HERE / name, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )

    @staticmethod
    def _compile_catalogues(source: Path, dest: Path) -> None:
        from babel.messages.mofile import write_mo  # a build requirement (pyproject.toml)
        from babel.messages.pofile import read_po

        for po in source.glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as f:
                catalog = read_po(f)
            mo = dest / po.relative_to(source).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with mo.open("wb") as f:
                write_mo(f, catalog)


setup(cmdclass={"build_py": BuildPy})
