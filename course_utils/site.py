"""The course as a static website: README's notebook map as the home page, then every notebook,
executed, with its outputs, plots and claims tables.

``python -m course_utils.site`` (``make site``) reuses the executed copies the course runner saved
under ``artifacts/executed/<mode>/`` when they are newer than the notebooks, runs the others, and
writes ``build/site/``. Pages are rendered with nbconvert's HTML exporter, the one JupyterLab itself
uses for "Export as HTML": it comes with JupyterLab, works offline and needs no site generator.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

ROOT = Path(__file__).resolve().parent.parent
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ('<p class="course-widget-note"><b>Knob panel:</b> live only when the notebook runs. '
               "Open it in JupyterLab, on Binder or on Colab (badges at the top) to move the knobs.</p>")
NOTEBOOK_LINK = re.compile(r'href="(?:notebooks/)?(\d\d_[A-Za-z0-9_]+)\.ipynb')
STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem}"
         "nav.course{font-family:system-ui,sans-serif;padding:.5rem 1rem;background:#f3f3f3}")


def stale(executed: Path, source: Path) -> bool:
    """True when there is no executed copy, or the notebook changed after it was executed."""
    return not executed.exists() or executed.stat().st_mtime < source.stat().st_mtime


def executed_copies(notebooks: list[Path], mode: str) -> list[Path]:
    """An executed copy of each notebook: the runner's saved one if fresh, else a new run."""
    from .runner import run_course

    folder = ROOT / "artifacts" / "executed" / mode
    to_run = [path for path in notebooks if stale(folder / path.name, path)]
    if to_run:
        failed = [run for run in run_course(to_run, mode=mode, save_to=folder) if run.error]
        if failed:
            raise RuntimeError("; ".join(f"{run.name}: {run.error}" for run in failed))
    return [folder / path.name for path in notebooks]


def without_live_widgets(notebook):
    """Each widget output replaced by a line saying the panel is live only in a running notebook."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if WIDGET_MIME in output.get("data", {}):
                output["data"] = {"text/html": WIDGET_NOTE}
    notebook.metadata.pop("widgets", None)
    return notebook


def navigation(names: list[str], index: int) -> str:
    """Links home, to the previous and to the next notebook."""
    links = ["<a href='index.html'>course home</a>"]
    if index > 0:
        links.append(f"<a href='{names[index - 1]}.html'>← {html.escape(names[index - 1])}</a>")
    if index + 1 < len(names):
        links.append(f"<a href='{names[index + 1]}.html'>{html.escape(names[index + 1])} →</a>")
    return "<nav class='course'>" + " · ".join(links) + "</nav>"


def notebook_page(path: Path, nav: str) -> str:
    """One executed notebook as a page; links between notebooks point at their pages."""
    notebook = without_live_widgets(nbformat.read(path, as_version=4))
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    body = NOTEBOOK_LINK.sub(r'href="\1.html', body)
    return re.sub(r"(<body[^>]*>)", lambda match: match.group(1) + nav, body, count=1)


def home_page(readme: str, repository: str) -> str:
    """README as the home page: notebook links go to their pages, other files to the repository."""
    body = NOTEBOOK_LINK.sub(r'href="\1.html', markdown2html_mistune(readme))
    body = re.sub(r'href="(?!https?:|#|\d\d_)([^"]+)"', lambda match: f'href="{repository}/{match.group(1)}"', body)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>CNN Training Clinic</title>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def project_settings() -> dict:
    """The repository address and ref from pyproject.toml (the badges use the same)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the test extra installs tomli
        import tomli as tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["cnn-training-clinic"]


def build(executed: list[Path], out: Path, readme: Path = ROOT / "README.md") -> Path:
    """Writes the site into ``out``; returns its home page."""
    settings = project_settings()
    out.mkdir(parents=True, exist_ok=True)
    names = [path.stem for path in executed]
    for index, path in enumerate(executed):
        (out / f"{path.stem}.html").write_text(notebook_page(path, navigation(names, index)), encoding="utf-8")
    home = out / "index.html"
    repository = f"{settings['repository']}/blob/{settings['ref']}"
    home.write_text(home_page(readme.read_text(encoding="utf-8"), repository), encoding="utf-8")
    return home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["fast", "default"], default="default",
                        help="the course mode of the executions (default: default)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="where to write the site")
    arguments = parser.parse_args(argv)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    home = build(executed_copies(notebooks, arguments.mode), arguments.out)
    print(f"site: {home}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
