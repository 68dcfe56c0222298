"""The environment for conda and Binder installs the same packages as pyproject.toml."""

import yaml

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
    minor = int(python.split("=")[1].split(".")[1])
    assert PYPROJECT["project"]["requires-python"] == ">=3.10,<3.14" and 10 <= minor <= 13
