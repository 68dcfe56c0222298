"""The environment for conda and Binder installs the same packages as pyproject.toml; every import
is declared; the constraints CI installs pin every declared package within its range."""

import ast
import importlib.metadata
import sys

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from project import PYPROJECT, ROOT


def normalised(requirement):
    return requirement.replace(" ", "").lower()


def test_environment_yml_pip_list_matches_pyproject_dependencies():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_lists = [entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)]
    assert len(pip_lists) == 1
    assert sorted(map(normalised, pip_lists[0])) == sorted(map(normalised, PYPROJECT["project"]["dependencies"]))


def test_binder_installs_the_package_itself():
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install" in post_build and "--editable ." in post_build
    assert (ROOT / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_environment_python_is_within_the_supported_range():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(entry for entry in environment["dependencies"] if str(entry).startswith("python="))
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(python.split("=")[1] + ".0")


def declared(*extras):
    lines = PYPROJECT["project"]["dependencies"] + [line for extra in extras
                                                     for line in PYPROJECT["project"]["optional-dependencies"][extra]]
    return {canonicalize_name(Requirement(line).name): Requirement(line) for line in lines}


def test_binder_and_colab_are_within_the_declared_ranges():
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains("3.10.12")  # Binder
    assert declared()["ipywidgets"].specifier.contains("7.7.1")  # Colab
    assert declared()["tensorflow"].specifier.contains("2.20.0") and declared()["keras"].specifier.contains("3.13.0")


def third_party_imports(folder):
    """The top-level modules imported by the Python files under ``folder`` that are not its own."""
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    own = {"course_utils", "conftest"} | {path.stem for path in (ROOT / "tests").glob("*.py")}  # the tests' own modules
    return {name for name in names if name not in sys.stdlib_module_names and name not in own}


@pytest.mark.parametrize("folder, extras", [("course_utils", ()), ("tests", ("test",))])
def test_every_import_is_declared(folder, extras):
    distributions = importlib.metadata.packages_distributions()
    needed = {canonicalize_name(distributions.get(module, [module])[0]) for module in third_party_imports(ROOT / folder)}
    assert needed <= set(declared(*extras)), f"imported, not declared: {needed - set(declared(*extras))}"


def constraints():
    return [Requirement(line) for line in (ROOT / "constraints.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12", "3.13"])
def test_the_constraints_pin_every_declared_package_within_its_range(python):
    pinned = {}
    for requirement in constraints():
        if requirement.marker is None or requirement.marker.evaluate({"python_version": python}):
            key = canonicalize_name(requirement.name)
            assert key not in pinned, f"{key} is pinned twice for Python {python}"
            (pin,) = requirement.specifier
            assert pin.operator == "==", requirement
            pinned[key] = pin.version
    for key, requirement in declared("test").items():
        if requirement.marker is None or requirement.marker.evaluate({"python_version": python, "extra": "test"}):
            assert key in pinned, f"{key} has no version in constraints.txt for Python {python}"
            assert requirement.specifier.contains(pinned[key], prereleases=True), (key, pinned[key])



def test_every_subpackage_is_packaged():
    """A git install (Colab's set-up cell) ships only the packages listed; a missing one fails to import."""
    found = sorted(".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "course_utils").rglob("__init__.py"))
    assert sorted(PYPROJECT["tool"]["setuptools"]["packages"]) == found
