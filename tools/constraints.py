"""Prints constraints.txt: the version of every package the course needs, directly or through
another package, as installed in this environment, the one its tests last passed in.

CI installs with it (``make test CONSTRAINTS=constraints.txt``), so a new release of a dependency
cannot break CI unnoticed; learners get pyproject.toml's ranges. A version that needs a newer Python
than the oldest the course supports is marked for the Pythons it serves, and the Python 3.10
version (``PYTHON_3_10`` below, found once with pip's resolver for Python 3.10) follows it.

Run it with the environment's Python: ``make constraints``.
"""

from __future__ import annotations

import importlib.metadata as metadata
import sys
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "cnn-training-clinic"
OLDEST_PYTHON = "3.10"
# For Python 3.10: the newest versions there of the pins that need Python 3.11 or newer, and the
# packages only Python 3.10 needs: pip's resolver for Python 3.10 (`pip install --dry-run --report
# --python-version 3.10 --only-binary=:all:` with the pins that serve 3.10), on 2026-12-01 (markdown added that day for tensorboard). It does
# not apply markers for the target Python, so tomli and exceptiongroup (pytest, jupyterlab, anyio and
# ipython need them below 3.11) are their newest releases of that day.
PYTHON_3_10 = {
    "contourpy": "1.3.2", "coverage": "7.16.2", "decorator": "5.3.1", "exceptiongroup": "1.3.2",
    "fonttools": "4.65.0", "hypothesis": "6.168.5", "ipykernel": "7.3.0", "ipython": "8.39.0",
    "keras": "3.12.4", "markdown": "3.10.3", "matplotlib": "3.10.9", "numpy": "2.2.6", "pillow": "12.3.0",
    "platformdirs": "4.12.4", "pycparser": "3.11", "python-dateutil": "3.0.0", "rpds-py": "0.30.0",
    "scikit-learn": "1.7.2", "scipy": "1.15.3", "soupsieve": "2.10", "tomli": "2.5.0", "tornado": "6.5.10",
}


def installed(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def needed(project: str = PROJECT, extras=("test",)) -> dict[str, metadata.Distribution]:
    """Every installed distribution the project requires here, directly or transitively."""
    environment = default_environment()
    found: dict[str, metadata.Distribution] = {}
    extras_seen: dict[str, set[str]] = {}
    queue = [(project, set(extras))]
    while queue:
        name, wanted = queue.pop()
        if name == project:  # the course's own requirements as pyproject.toml declares them now
            declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
            requires = declared["dependencies"] + [line for extra in wanted
                                                   for line in declared["optional-dependencies"][extra]]
        else:
            distribution = installed(name)
            requires = [] if distribution is None else distribution.requires or []
        for line in requires:
            requirement = Requirement(line)
            applies = requirement.marker is None or any(
                requirement.marker.evaluate({**environment, "extra": extra}) for extra in wanted | {""})
            key = canonicalize_name(requirement.name)
            if not applies or key == canonicalize_name(project):
                continue
            dependency = installed(requirement.name)
            if dependency is None:
                continue
            new_extras = set(requirement.extras) - extras_seen.get(key, set())
            if key not in found or new_extras:
                found[key] = dependency
                extras_seen[key] = extras_seen.get(key, set()) | set(requirement.extras)
                queue.append((requirement.name, set(requirement.extras)))
    return found


def lines() -> list[str]:
    out = []
    for key, distribution in sorted(needed().items()):
        version = distribution.version
        requires_python = SpecifierSet(distribution.metadata.get("Requires-Python") or "")
        if requires_python.contains(OLDEST_PYTHON + ".0") or key not in PYTHON_3_10:
            out.append(f"{key}=={version}")
        else:
            out.append(f'{key}=={version}; python_version >= "3.11"')
            out.append(f'{key}=={PYTHON_3_10[key]}; python_version < "3.11"')
    for key, version in sorted(PYTHON_3_10.items()):
        if key not in needed():
            out.append(f'{key}=={version}; python_version < "3.11"')
    return out


def too_new_for_oldest_python() -> list[str]:
    """The pins that need a newer Python than the oldest supported, and have no 3.10 version here yet."""
    return [f"{key}=={distribution.version} (Requires-Python {distribution.metadata.get('Requires-Python')})"
            for key, distribution in sorted(needed().items())
            if not SpecifierSet(distribution.metadata.get("Requires-Python") or "").contains(OLDEST_PYTHON + ".0")
            and key not in PYTHON_3_10]


if __name__ == "__main__":
    print("# The versions the course's tests last passed with (Python "
          f"{sys.version_info.major}.{sys.version_info.minor}, Linux), written by `make constraints`.")
    print("# CI installs with them: make test CONSTRAINTS=constraints.txt. Learners get pyproject.toml's ranges.")
    print("\n".join(lines()))
    missing = too_new_for_oldest_python()
    if missing:
        print(f"warning: no Python {OLDEST_PYTHON} version for: {', '.join(missing)}", file=sys.stderr)
