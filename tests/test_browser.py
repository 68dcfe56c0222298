"""JupyterLab in a real browser: a notebook with each kind of knob panel (with and without a
preview) runs the cells its panel needs in headless Chromium without an error, its Run button trains
and plots, and its slider moves the panel. One of each kind is enough, and only the cells the panel needs
(``panel_cells.py``): nbval already runs every cell of every notebook.

The server gets a copy of the notebooks, so autosave cannot write outputs into the
repository. Screenshots go to ``artifacts/browser/`` (git-ignored).
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

from lab import free_port, stop, wait_for_contents
from panel_cells import panel_notebook
from project import NOTEBOOKS, ROOT

SCREENSHOTS = ROOT / "artifacts" / "browser"
RUN_LIMIT = 600  # seconds: a bound on waiting for Run All, not a speed requirement
START_LIMIT = 60  # seconds for the first cell to start after Run All
# Without these, Chromium's attempts to reach Google's services stall it on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OFF_MACHINE = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")
# JupyterLab 4 renders only the cells on screen unless windowing is off; under load it may
# also ask which kernel to start instead of starting the notebook's own.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none",
                                                                   "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def panel_kind(path) -> str | None:
    """The kind of knob panel a notebook has, "preview" or "plain"; None for a notebook without one."""
    text = path.read_text(encoding="utf-8")
    return None if "KnobPanel(" not in text else "preview" if "preview=" in text else "plain"


PANEL_NOTEBOOKS = [next(path for path in NOTEBOOKS if panel_kind(path) == kind) for kind in ("plain", "preview")
                   if any(panel_kind(path) == kind for path in NOTEBOOKS)]


def find_chromium():
    """The system's Chromium (``CHROMIUM`` overrides); Playwright's own browsers are not used."""
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


CHROMIUM = find_chromium()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium here: install Debian's chromium package (.ci/run does), "
                             "or set CHROMIUM to a Chromium executable")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server in fast mode, on a copy of the notebooks, each panel notebook with only
    the code cells its panel needs: ``(base_url, token)``."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    for notebook in PANEL_NOTEBOOKS:
        nbformat.write(panel_notebook(notebook), folder / "notebooks" / notebook.name)
    for name, settings in LAB_SETTINGS.items():
        path = folder / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={folder / 'notebooks'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = {**os.environ, "COURSE_MODE": "fast", "TF_CPP_MIN_LOG_LEVEL": "3",
           "JUPYTERLAB_SETTINGS_DIR": str(folder / "settings")}
    log = folder / "lab.log"
    server = subprocess.Popen(command, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        assert wait_for_contents(server, port, token) is not None, log.read_text()[-2000:]
        yield f"http://127.0.0.1:{port}", token
    finally:
        stop(server)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000})
        # The site's pages link MathJax and the badges on the web; refused at once, not left to a DNS timeout.
        context.route(OFF_MACHINE, lambda route: route.abort())
        yield context
        context.close()


def click_run_all(page):
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def run_all_cells(page):
    """Runs every cell from the Run menu and waits until each code cell has its number.

    Once, Run All reached no kernel: the kernel stayed idle and every cell kept its empty prompt for
    ten minutes. So if no cell has started (``[*]``) or finished after ``START_LIMIT``, Run All is
    clicked a second time; the cells must all run after that as before."""
    prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt")
    click_run_all(page)
    started = time.monotonic() + START_LIMIT
    while time.monotonic() < started and not any(text.strip("[]: ") for text in prompts.all_inner_texts()):
        time.sleep(1)
    if not any(text.strip("[]: ") for text in prompts.all_inner_texts()):
        page.screenshot(path=SCREENSHOTS / "run-all-not-started.png")
        click_run_all(page)
    deadline = time.monotonic() + RUN_LIMIT
    while time.monotonic() < deadline:
        texts = prompts.all_inner_texts()
        if texts and all(text.strip("[]: ").isdigit() for text in texts):
            return texts
        time.sleep(1)
    page.screenshot(path=SCREENSHOTS / "run-all-unfinished.png")
    pytest.fail(f"Run All did not finish within {RUN_LIMIT} s: prompts {texts}")


def drag(page, handle, pixels):
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + pixels, box["y"] + box["height"] / 2, steps=10)
    page.mouse.up()


def image_sources(panel):
    return panel.locator("img").evaluate_all("images => images.map(image => image.src)")


@pytest.mark.parametrize("notebook", PANEL_NOTEBOOKS, ids=[path.stem for path in PANEL_NOTEBOOKS])
def test_panel_cells_run_in_jupyterlab_and_the_panel_answers(lab, browser, notebook):
    base_url, token = lab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    try:
        # A workspace of its own, so no notebook opened by an earlier test is open beside it.
        page.goto(f"{base_url}/lab/workspaces/{notebook.stem}/tree/{notebook.name}?reset&token={token}")
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=120_000)
        page.locator(".jp-Toolbar-kernelName", has_text="Python 3").wait_for(timeout=120_000)
        run_all_cells(page)
        errors = [text for text in page.locator(".jp-OutputArea-output").all_inner_texts()
                  if "Traceback (most recent call last)" in text]
        page.screenshot(path=SCREENSHOTS / f"{notebook.stem}-run-all.png")
        assert not errors, errors[0][-1500:]

        panel = page.locator(".widget-vbox").filter(has=page.locator(".noUi-handle")).first
        panel.scroll_into_view_if_needed()
        panel.locator("button", has_text="Run").first.click()  # what a learner does: train on the knobs' defaults
        page.wait_for_function("element => /: done, /.test(element.innerText)", arg=panel.element_handle(),
                               timeout=RUN_LIMIT * 1000)
        rendered = panel.locator("img").evaluate_all(
            "images => images.filter(image => image.naturalWidth > 0).length")
        assert rendered >= 1, "the panel shows no rendered plot"
        texts, sources = panel.inner_text(), image_sources(panel)
        handle = panel.locator(".noUi-handle").first
        # A panel taller than the window, centred, can leave its first slider under the toolbar.
        handle.evaluate("element => element.scrollIntoView({block: 'center'})")
        drag(page, handle, 80)
        # The slider's readout changes at once; the status line once the kernel has redrawn any preview.
        page.wait_for_function("([element, before]) => element.innerText !== before"
                               " && /press Run|used by the next run/.test(element.innerText)",
                               arg=[panel.element_handle(), texts], timeout=30_000)
        page.screenshot(path=SCREENSHOTS / f"{notebook.stem}-slider-moved.png")
        assert "press Run" in panel.inner_text() or "used by the next run" in panel.inner_text()
        if len(sources) > 1:  # a preview above the buttons, the training plot below
            assert image_sources(panel) != sources, "the preview did not change when the slider moved"
    finally:
        page.close()


def test_the_site_shows_each_notebook_with_its_plots_and_claims(browser, tmp_path):
    """The website built from this run's executions: the home page, and notebook 01's page."""
    from claims import executed_this_session
    from course_utils import site

    executed = executed_this_session()
    if not any(path.stem.startswith("01_") for path in executed):
        pytest.skip("the site is built from this test run's executions of the notebooks: run them too (make test)")
    home = site.build(executed, tmp_path / "site")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    try:
        page.goto(home.as_uri())
        assert page.locator("a", has_text="stuck at ln(10)").count() >= 1
        page.locator("a", has_text="stuck at ln(10)").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("01_stuck_at_ln10.html")
        plots = page.locator("img[src^='data:image/png']").evaluate_all(
            "images => images.filter(image => image.naturalWidth > 0).length")
        assert plots >= 1, "no plot rendered"
        assert page.locator("th", has_text="verdict").count() >= 1, "no claims table"
        page.screenshot(path=SCREENSHOTS / "site-01_stuck_at_ln10.png", full_page=False)
    finally:
        page.close()
