"""Every knob of every notebook's panel, set to nonsense through code, gives one short line in the
panel, never a traceback, and reaches no training; after them all, the next valid run works and its
plot shows the history it returned.

The panels are found by parsing the committed notebooks' code: each ``KnobPanel(...)`` call and its
knob specs (``LogSlider(...)``, ``Choice(...)``, ...), so a new notebook's panel is covered without
editing this file. A knob's arguments are read from the source; a value the notebook computes at run
time (``list(OPTIMIZERS)``, ``ZOO_EPOCHS``) stands in as a placeholder (for a ``Choice``: the
default and one other option; for a number: the knob's low end). The notebook's ``train`` is
replaced by a stand-in that drives the panel's callbacks through a short known history, so the
check is the panel's handling of the values, in seconds, not the notebook's training.

What the panel does with a value that is legal but meaningless: a number knob accepts exactly
``low``..``high`` as the notebook declares them (a notebook that allows 0 epochs or 0 unfrozen
layers means it; a run of 0 epochs ends with "no epoch trained: nothing to plot"); a ``LogSlider``
never accepts 0 or a negative number (no log scale reaches them); an ``IntSlider`` takes 3.0 as 3
and refuses 2.5; a ``Choice`` returns its own option (1.0 picks the option 1) and never takes
True for 1; a ``Toggle`` takes Python's and NumPy's bools only.
"""

from __future__ import annotations

import ast
import numbers
from pathlib import Path
from types import SimpleNamespace

import keras
import nbformat
import numpy as np
import pytest
import traitlets

from course_utils import plots
from course_utils.widgets import Choice, IntSlider, KnobPanel, LogSlider, Slider, Toggle
from project import NOTEBOOKS, WITH_PANEL

pytestmark = pytest.mark.slow  # every knob of every panel: hundreds of cases

KINDS = {"LogSlider": LogSlider, "Slider": Slider, "IntSlider": IntSlider, "Choice": Choice, "Toggle": Toggle}
KNOWN_HISTORY = {"loss": [2.3, 0.9], "val_loss": [2.25, 1.2]}
PNG_SIGNATURE = b"\x89PNG"
SHORT = 200  # characters: a message a learner reads at a glance

NUMBER_NONSENSE = [-1, 0, -0.0, 2.5, float("nan"), float("inf"), -float("inf"), 10**400, 1e308, -1e308,
                   "abc", "0.01", "", None, True, False, [], {}, complex(1, 1), np.float64("nan"), object()]
CHOICE_NONSENSE = ["no such option", "", " ", None, float("nan"), float("inf"), True, False, 10**400, -1, [],
                   {}, np.array([1, 2]), object()]
TOGGLE_NONSENSE = ["yes", "True", "", None, 1, 0, 0.5, float("nan"), [], {}, object()]


class Unknown:
    """A value the notebook computes when it runs (its source text kept for the test's name)."""

    def __init__(self, node: ast.AST):
        self.text = ast.unparse(node)


def value_of(node: ast.AST):
    """The value of a knob argument's syntax, without running it: literals, ``cu.by_mode``'s
    fast value, or an ``Unknown``."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [value_of(element) for element in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = value_of(node.operand)
        return -inner if isinstance(inner, numbers.Number) else Unknown(node)
    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "by_mode":
        fast = [keyword.value for keyword in node.keywords if keyword.arg == "fast"]
        return value_of(fast[0]) if fast else Unknown(node)
    return Unknown(node)


def knob_from(call: ast.Call):
    """A knob spec from its constructor call, placeholders filled in."""
    kind = KINDS[call.func.id]
    fields = ["name", "default", *(["options"] if kind is Choice else ["low", "high", "step"] if kind is Slider
                                    else ["low", "high"] if kind is not Toggle else [])]
    arguments = dict(zip(fields, map(value_of, call.args)))
    arguments.update({keyword.arg: value_of(keyword.value) for keyword in call.keywords})
    if kind is Choice:
        options = arguments["options"]
        if isinstance(options, Unknown):
            default = arguments["default"]
            default = default.text if isinstance(default, Unknown) else default
            options = [default, f"another of {options.text}"]
        arguments["options"] = [option.text if isinstance(option, Unknown) else option for option in options]
        if isinstance(arguments["default"], Unknown):
            arguments["default"] = arguments["default"].text
    elif kind is not Toggle and isinstance(arguments["default"], Unknown):
        arguments["default"] = arguments["low"]
    return kind(**arguments)


def panels_in(path: Path) -> list[dict]:
    """Each ``KnobPanel(...)`` call in a notebook's code: its knobs and which optional parts it has."""
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code" or "KnobPanel" not in cell.source:
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "KnobPanel":
                specs = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "knobs")
                keywords = {keyword.arg for keyword in node.keywords}
                found.append({"knobs": [knob_from(call) for call in specs.elts],
                              "preview": "preview" in keywords, "report": "report" in keywords})
    return found


PANELS = {f"{path.stem}#{number}": panel for path in NOTEBOOKS for number, panel in enumerate(panels_in(path))}


def cases():
    for panel_id, panel in PANELS.items():
        for knob in panel["knobs"]:
            yield pytest.param(panel_id, knob.name, id=f"{panel_id}-{knob.name}")


def is_valid(knob, value) -> bool:
    """The test's own account of what each kind of knob accepts."""
    if isinstance(knob, Toggle):
        return isinstance(value, (bool, np.bool_))
    if isinstance(knob, Choice):
        return any(isinstance(option, bool) == isinstance(value, bool) and type(value) is not np.ndarray
                   and option == value for option in knob.options)
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    if isinstance(knob, LogSlider) and not value > 0:
        return False
    if isinstance(knob, IntSlider) and not (isinstance(value, int) or float(value).is_integer()):
        return False
    return knob.low <= value <= knob.high


def nonsense_for(knob) -> list:
    values = (TOGGLE_NONSENSE if isinstance(knob, Toggle) else CHOICE_NONSENSE if isinstance(knob, Choice)
              else NUMBER_NONSENSE + [knob.low - 1, knob.high + 1, knob.high * 1e6])
    return [value for value in values if not is_valid(knob, value)]


def fake_fit(callbacks, epochs=len(KNOWN_HISTORY["loss"])):
    """What ``model.fit`` does with callbacks, through a known history, two batches an epoch."""
    history, model = keras.callbacks.History(), SimpleNamespace(stop_training=False)
    everyone = [*callbacks, history]
    for callback in everyone:
        callback.set_model(model)
        callback.set_params({"epochs": epochs, "steps": 2, "verbose": 0})
        callback.on_train_begin()
    for epoch in range(epochs):
        for step in range(2):
            for callback in everyone:
                callback.on_train_batch_end(step, {})
        for callback in everyone:
            callback.on_epoch_end(epoch, {key: values[epoch] for key, values in KNOWN_HISTORY.items()})
        if model.stop_training:
            break
    for callback in everyone:
        callback.on_train_end()
    return history


def stand_in_panel(panel_id: str) -> KnobPanel:
    spec = PANELS[panel_id]
    calls, previews = [], []

    def train(callbacks, **knobs):
        calls.append(knobs)
        return fake_fit(callbacks)

    def preview(**knobs):
        previews.append(knobs)
        figure = plots.new_figure(2, 1)
        figure.subplots().plot([0, 1])
        return figure

    panel = KnobPanel(train, spec["knobs"], num_classes=10, title=panel_id,
                      preview=preview if spec["preview"] else None,
                      report=(lambda history: f"{len(history.history['loss'])} epochs") if spec["report"] else None)
    panel.calls, panel.previews = calls, previews
    return panel


@pytest.fixture
def drawn(monkeypatch):
    """Every history the panel's plot draws, as the values it was given."""
    seen = []
    original = plots.plot_history

    def recording(values, *args, **kwargs):
        seen.append({key: list(value) for key, value in values.items()})
        return original(values, *args, **kwargs)

    monkeypatch.setattr(plots, "plot_history", recording)
    return seen


def test_every_notebook_panel_is_found():
    with_panel = {path.stem for path in WITH_PANEL}
    assert with_panel, "no notebook has a knob panel: the enumeration is broken"
    assert {panel_id.split("#")[0] for panel_id in PANELS} == with_panel
    assert all(panel["knobs"] for panel in PANELS.values())


def assert_refused(panel, name, value, shown_before, calls_before):
    message = panel.error
    assert message is not None and name in message, (name, value, message)
    assert len(message) <= SHORT and "\n" not in message and "Traceback" not in message, message
    assert "⚠" in panel.status.value and "<details>" not in panel.status.value
    assert len(panel.calls) == calls_before, "a nonsense value reached train"
    assert {key: control.value for key, control in panel.controls.items()} == shown_before or \
        all(is_valid(panel.knobs[key], control.value) for key, control in panel.controls.items())
    assert not panel.run_button.disabled and panel.stop_button.disabled


@pytest.mark.parametrize("panel_id, knob_name", list(cases()))
def test_nonsense_in_a_knob_is_one_line_in_the_panel_and_the_next_run_works(panel_id, knob_name, drawn):
    panel = stand_in_panel(panel_id)
    knob, control = panel.knobs[knob_name], panel.controls[knob_name]
    bad_values = nonsense_for(knob)
    assert len(bad_values) >= 8, f"too few nonsense values for {knob_name}: {bad_values}"
    for value in bad_values:
        shown_before = {key: widget.value for key, widget in panel.controls.items()}
        calls_before = len(panel.calls)
        # 1. panel.run(knob=value), the notebook's and the learner's path in code; start() shares it
        assert panel.run(**{knob_name: value}) is None
        assert_refused(panel, knob_name, value, shown_before, calls_before)
        assert panel.start(**{knob_name: value}) is None and panel.wait(5)
        assert_refused(panel, knob_name, value, shown_before, calls_before)
        # 2. control.value = value: ipywidgets refuses a wrong type itself (TraitError, the widget
        # unchanged) or clamps it into range; what it lets through, the panel refuses and puts back
        error_before = panel.error
        try:
            control.value = value
        except traitlets.TraitError:
            assert control.value == shown_before[knob_name] or is_valid(knob, control.value)
        else:
            assert is_valid(knob, control.value), f"{knob_name} holds nonsense {control.value!r}"
            if panel.error not in (None, error_before):  # refused by the panel, not clamped or cast by the widget
                assert knob_name in panel.error and "kept" in panel.error and len(panel.error) <= SHORT
        assert len(panel.calls) == calls_before
        assert all(is_valid(panel.knobs[key], panel.controls[key].value) for key in panel.controls)
        assert not panel.run_button.disabled and panel.stop_button.disabled
    # 3. after every refusal, the next valid run works and its plot is the history train returned
    # (once per knob: a plot is a PNG, and drawing one after each of 687 values took minutes)
    history = panel.run()
    assert history is not None and panel.error is None, panel.error
    assert len(panel.calls) == 1
    received = panel.calls[-1]
    assert set(received) == set(panel.knobs)
    assert all(is_valid(panel.knobs[key], received[key]) for key in received), received
    assert drawn[-1] == history.history == KNOWN_HISTORY
    assert len(drawn) == len(KNOWN_HISTORY["loss"])  # one frame per epoch
    assert bytes(panel.plot.value).startswith(PNG_SIGNATURE)
    assert "done, 2 epochs" in panel.status.value
    assert not panel.run_button.disabled and panel.stop_button.disabled


@pytest.mark.parametrize("value, expected", [(3.0, 3), (np.int64(4), 4), (10**400, None), (2.5, None)])
def test_whole_numbers_of_any_type_and_huge_ones(value, expected):
    knob = IntSlider("epochs", 2, low=1, high=30)
    if expected is None:
        with pytest.raises(ValueError, match="epochs must be"):
            knob.validate(value)
    else:
        assert knob.validate(value) == expected and type(knob.validate(value)) is int


def test_a_choice_returns_its_own_option_and_never_a_bool_for_a_number():
    sizes = Choice("labels_per_class", 5, [1, 2, 5])
    assert sizes.validate(1.0) == 1 and type(sizes.validate(1.0)) is int
    assert sizes.validate(np.int64(2)) == 2 and type(sizes.validate(np.int64(2))) is int
    for value in (True, np.array([1, 2]), float("nan")):
        with pytest.raises(ValueError, match="labels_per_class must be one of 1, 2, 5"):
            sizes.validate(value)
    assert Toggle("flip", False).validate(np.True_) is True


def test_a_run_of_zero_epochs_says_there_is_nothing_to_plot(drawn):
    panel = KnobPanel(lambda epochs, callbacks: fake_fit(callbacks, epochs=epochs),
                      [IntSlider("epochs", 1, low=0, high=5)])
    history = panel.run(epochs=0)
    assert history is not None and history.history == {}
    assert "done, 0 epochs" in panel.status.value and "nothing to plot" in panel.status.value
    assert drawn == []
    second = panel.run(epochs=2)
    assert second is not None and drawn[-1] == second.history == {key: values[:2] for key, values in KNOWN_HISTORY.items()}


def test_the_count_of_knobs_and_nonsense_values():
    """The count this file checks (printed with -s); at least the eight notebooks' panels."""
    knobs = [knob for panel in PANELS.values() for knob in panel["knobs"]]
    values = sum(len(nonsense_for(knob)) for knob in knobs)
    print(f"{len(PANELS)} panels, {len(knobs)} knobs, {values} knob × nonsense-value cases, each through "
          "panel.run, panel.start and the widget's value")
    assert len(knobs) >= len(PANELS) and values >= 8 * len(knobs)
