"""requirements.lock (what `make install` installs) pins every dependency pyproject.toml declares, at a
version inside its bounds, with hashes: a dependency added without `make lock` fails here, not on a user's
machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [
        Requirement(text) for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]
    ]


def _locked() -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            pins.setdefault(canonicalize_name(match[1]), []).append(match[2])
    return pins


def test_every_declared_dependency_is_locked_within_its_bounds():
    locked = _locked()
    problems = []
    for requirement in _declared():
        versions = locked.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not all(requirement.specifier.contains(version, prereleases=True) for version in versions):
            problems.append(f"{requirement.name} {versions} outside {requirement.specifier}")
    assert problems == [], "run `make lock`: " + "; ".join(problems)


def test_every_pin_has_a_hash():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [entry.split()[0] for entry in entries if PIN.match(entry) and "--hash=sha256:" not in entry]
    assert unhashed == []
