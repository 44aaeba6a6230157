"""The two sections of ``benchmarks/results/offline_<task>.md``, each rewritten by its own script.

``offline_recipes.py`` owns "Per-pair recipes", ``offline.py`` owns "The shared default setting";
either one replaces only its own section and keeps the other, so neither run wipes the other's table.
"""

from __future__ import annotations

from pathlib import Path

from geoencode._io import atomic_write

RECIPES = "## Per-pair recipes"
DEFAULT = "## The shared default setting"
DEFAULT_TITLE = f"{DEFAULT} (`python benchmarks/offline.py`, `--recipe default`)"
ORDER = (RECIPES, DEFAULT)


def read_sections(text: str) -> dict[str, str]:
    """The file's sections by heading prefix; text after the title without a known heading is the default one."""
    starts = sorted((text.index(h), h) for h in ORDER if h in text)
    if not starts:
        body = text.split("\n", 2)[2] if text.count("\n") >= 2 else ""
        return {DEFAULT: f"{DEFAULT_TITLE}\n\n{body.strip()}\n"} if body.strip() else {}
    bounds = [s for s, _ in starts] + [len(text)]
    return {h: text[bounds[i]:bounds[i + 1]].rstrip() + "\n" for i, (_, h) in enumerate(starts)}


def write_section(path: Path, task: str, heading: str, section: str) -> None:
    """Replace ``heading``'s section of ``path`` by ``section`` (which starts with that heading), atomically."""
    sections = read_sections(path.read_text()) if path.exists() else {}
    sections[heading] = section.rstrip() + "\n"
    write_text(path, f"# Offline benchmark: {task}\n\n" + "\n".join(sections[h] for h in ORDER if h in sections))


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` atomically (benchmark results are meant to be rewritten)."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(text), overwrite=True)
