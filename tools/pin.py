"""Writes the commit the course is pinned to, from pyproject.toml, into every place that names it.

pyproject.toml's ``[tool.cnn-training-clinic] ref`` is the one place the pin is written by hand: a
full 40-hex commit of the repository's main history (a tag or branch can be moved to other code;
a commit cannot). This script copies it into the Colab set-up cell of every notebook
(``pip install git+<repository>@<ref>``), the Colab and Binder badges of every notebook's title
cell, and the README's badges and install line. It edits those addresses in the files' text and
nothing else, so it can be run again after any other change to the notebooks.

    python tools/pin.py                 # copies pyproject's ref everywhere
    python tools/pin.py --set COMMIT    # checks COMMIT is a commit of this clone, writes it, copies it
    python tools/pin.py --check         # exit status 1, and the files listed, if any file differs

At a release: commit the release (R) on main; ``python tools/pin.py --set R`` and commit that (P, the
pin alone changes, so P's code is R's); then ``python tools/pin.py --set P`` and commit again. The
badges then open P's notebooks, whose set-up cells install R: the code beside the notebooks.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
COMMIT = re.compile(r"[0-9a-f]{40}")
REF = r"[^/?\"'\s)\\]+"  # what follows an address's repository up to the next separator


def settings() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["cnn-training-clinic"]


def patterns(repository: str) -> list[re.Pattern]:
    """The addresses that name the pin: Colab badge, Binder badge, pip's git install."""
    owner_name = repository.removeprefix("https://github.com/")
    return [re.compile(rf"(colab\.research\.google\.com/github/{re.escape(owner_name)}/blob/)({REF})(/)"),
            re.compile(rf"(mybinder\.org/v2/gh/{re.escape(owner_name)}/)({REF})(\?)"),
            re.compile(rf"(git\+{re.escape(repository)}(?:\.git)?@)({REF})(\b)")]


def files() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb")) + [ROOT / "README.md"]


def pinned(text: str, repository: str, ref: str) -> str:
    for pattern in patterns(repository):
        text = pattern.sub(lambda match: match.group(1) + ref + match.group(3), text)
    return text


def refs_named(text: str, repository: str) -> set[str]:
    """Every ref the addresses in ``text`` name."""
    return {match.group(2) for pattern in patterns(repository) for match in pattern.finditer(text)}


def is_commit_here(ref: str) -> bool:
    found = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{ref}^{{commit}}"], capture_output=True)
    return found.returncode == 0


def set_ref(ref: str) -> None:
    if not COMMIT.fullmatch(ref):
        sys.exit(f"{ref!r} is not a full commit: 40 lowercase hexadecimal digits")
    if not is_commit_here(ref):
        sys.exit(f"{ref} is not a commit of this clone")
    text = PYPROJECT.read_text(encoding="utf-8")
    table = text.index("[tool.cnn-training-clinic]")
    line = re.compile(r'^ref = "[^"]*"', re.M).search(text, table)
    PYPROJECT.write_text(text[:line.start()] + f'ref = "{ref}"' + text[line.end():], encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", metavar="COMMIT", help="pin this commit first")
    parser.add_argument("--check", action="store_true", help="change nothing; fail if a file differs")
    arguments = parser.parse_args(argv)
    if arguments.set:
        set_ref(arguments.set)
    repository, ref = settings()["repository"], settings()["ref"]
    differ = []
    for path in files():
        text = path.read_text(encoding="utf-8")
        new = pinned(text, repository, ref)
        if new != text:
            differ.append(path.relative_to(ROOT))
            if not arguments.check:
                path.write_text(new, encoding="utf-8")
    for path in differ:
        print(f"{'differs from' if arguments.check else 'pinned to'} {ref}: {path}")
    return 1 if arguments.check and differ else 0


if __name__ == "__main__":
    sys.exit(main())
