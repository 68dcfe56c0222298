import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from course_utils import plots  # noqa: E402

HISTORY = {
    "loss": [2.3, 1.5, 1.0], "val_loss": [2.3, 1.8, 1.9],
    "accuracy": [0.1, 0.5, 0.7], "val_accuracy": [0.1, 0.4, 0.4],
}


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_history_train_solid_validation_dashed_same_colour():
    ax = plots.plot_history(HISTORY, label="baseline")
    lines = lines_by_label(ax)
    train, val = lines["baseline (train)"], lines["baseline (validation)"]
    assert train.get_linestyle() == "-" and val.get_linestyle() == "--"
    assert train.get_color() == val.get_color()
    assert list(train.get_ydata()) == HISTORY["loss"] and list(train.get_xdata()) == [1, 2, 3]
    ax.figure.canvas.draw()
    assert all(float(tick).is_integer() for tick in ax.get_xticks())  # epochs are whole numbers
    plt.close("all")


def test_same_run_keeps_its_colour_across_calls():
    first = plots.plot_history(HISTORY, label="run A")
    other = plots.plot_history(HISTORY, label="run B")
    again = plots.plot_history(HISTORY, label="run A")
    colour = lines_by_label(first)["run A (train)"].get_color()
    assert lines_by_label(again)["run A (train)"].get_color() == colour
    assert lines_by_label(other)["run B (train)"].get_color() != colour
    plt.close("all")


def test_chance_line_at_ln_k_once_and_only_on_loss():
    ax = plots.plot_history(HISTORY, label="a", num_classes=10)
    plots.plot_history(HISTORY, label="b", num_classes=10, ax=ax)
    chance = [line for line in ax.get_lines() if line.get_label().startswith("ln(")]
    assert len(chance) == 1 and math.isclose(chance[0].get_ydata()[0], math.log(10))
    ax = plots.plot_history(HISTORY, label="a", metric="accuracy", num_classes=10)
    assert not [line for line in ax.get_lines() if line.get_label().startswith("ln(")]
    plt.close("all")


def test_accepts_a_keras_history_object():
    class FakeHistory:
        history = {"loss": [1.0, 0.5]}

    ax = plots.plot_history(FakeHistory(), label="keras")
    assert list(lines_by_label(ax)["keras (train)"].get_ydata()) == [1.0, 0.5]
    plt.close("all")


def test_compare_runs_one_panel_per_metric():
    fig = plots.compare_runs({"x": HISTORY, "y": HISTORY}, num_classes=10)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert len(fig.axes[1].get_lines()) == 4
    plt.close("all")


def test_image_grid_titles_with_class_names():
    images = np.zeros((5, 28, 28, 1))
    fig = plots.image_grid(images, [0, 1, 2, 3, 4], ["zero", "one", "two", "three", "four"], ncols=4)
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert titles == ["zero", "one", "two", "three", "four"] and len(fig.axes) == 8
    plt.close("all")


def test_figure_png_outside_pyplot():
    fig = plots.new_figure()
    plots.plot_history(HISTORY, label="png", ax=fig.add_subplot())
    png = plots.figure_png(fig)
    assert png.startswith(b"\x89PNG") and len(png) > 1000


class Layer:
    def __init__(self, mean, std, gradient):
        self.activation_mean, self.activation_std, self.gradient_norm = mean, std, gradient


def test_layer_stats_three_panels_log_scales_one_line_per_run():
    stats = {"small": [Layer(0.1, 10.0**-k, 1e-6) for k in range(4)],
             "he": [Layer(0.3, 0.4, 0.5) for _ in range(4)]}
    fig = plots.plot_layer_stats(stats, fig=plots.new_figure(), title="depth 4")
    assert [ax.get_yscale() for ax in fig.axes] == ["symlog", "log", "log"]
    std_panel = fig.axes[1]
    assert [line.get_label() for line in std_panel.get_lines()] == ["small", "he"]
    assert list(std_panel.get_lines()[0].get_xdata()) == [1, 2, 3, 4]
    assert np.allclose(std_panel.get_lines()[0].get_ydata(), [1, 0.1, 0.01, 0.001])
    assert std_panel.get_lines()[1].get_color() == plots.run_color("he")
    low, high = fig.axes[2].get_ylim()  # gradients 1e-6 and 0.5: already more than 4 decades apart
    assert low < 1e-6 and high > 0.5
    steady = plots.plot_layer_stats({"he": stats["he"]}, fig=plots.new_figure())
    low, high = steady.axes[1].get_ylim()  # a constant std still gets 4 decades, centred on it
    assert np.isclose(high / low, 1e4) and low < 0.4 < high
    assert fig._suptitle.get_text() == "depth 4"


def test_layer_stats_needs_a_run():
    import pytest

    with pytest.raises(ValueError, match="at least one run"):
        plots.plot_layer_stats({})


# --- colours: one per run, never shared within a plot ---------------------------------------

def line_colours(ax):
    return [line.get_color() for line in ax.get_lines() if line.get_label().endswith("(train)")]


def test_no_two_runs_in_one_plot_share_a_colour_however_many_labels_came_before():
    for index in range(25):  # a session of panel runs: every run a new label
        plots.run_color(f"panel run {index}")
    ax = plots.plot_history(HISTORY, label="panel run 0")
    for index in (10, 20, 24):
        plots.plot_history(HISTORY, label=f"panel run {index}", ax=ax)
    assert len(set(line_colours(ax))) == 4
    plt.close("all")


def test_compare_runs_gives_thirty_runs_thirty_colours():
    panels = plots.compare_runs({f"run {index}": HISTORY for index in range(30)}, metrics=("loss",),
                                axes=[plots.new_figure().subplots()])
    colours = line_colours(panels[0])
    assert len(colours) == 30 and len(set(colours)) == 30
    plt.close("all")


def test_a_run_keeps_its_colour_unless_another_run_in_the_plot_has_it():
    plots.run_color("kept A")
    colour = plots.run_color("kept A")
    panels = plots.compare_runs({"kept A": HISTORY, "kept B": HISTORY}, metrics=("loss",))
    assert line_colours(panels[0])[0] == colour
    assert plots.run_color("kept A", taken=[colour]) != colour
    assert plots.run_color("kept A") == colour  # its own colour elsewhere
    plt.close("all")


def test_layer_stats_runs_have_distinct_colours():
    stats = {f"run {index}": [Layer(0.1, 0.2, 0.3)] * 3 for index in range(15)}
    panels = plots.plot_layer_stats(stats)
    assert len({line.get_color() for line in panels[1].get_lines()}) == 15
    plt.close("all")


# --- conventions: ax=None in and Axes out; axes=None in and the axes out -------------------------

def test_multi_panel_plots_return_their_axes_and_keep_figure_call_sites_working():
    panels = plots.compare_runs({"x": HISTORY}, num_classes=10)
    loss_ax, accuracy_ax = panels
    assert isinstance(loss_ax, Axes) and loss_ax.get_title() == "loss" and accuracy_ax.get_title() == "accuracy"
    assert panels.figure is loss_ax.figure
    panels.suptitle("title")  # notebook 02 calls the figure's methods on what compare_runs returns
    panels.tight_layout()
    assert panels.axes[0] is loss_ax  # notebook 03: losses.axes[0].set_yscale("log")
    grid = plots.image_grid(np.zeros((3, 28, 28, 1)), ncols=2)
    assert len(grid) == 4 and all(isinstance(ax, Axes) for ax in grid)
    stats = plots.plot_layer_stats({"he": [Layer(0.3, 0.4, 0.5)] * 2})
    assert len(stats) == 3 and stats.figure is stats[0].figure
    plt.close("all")


def test_multi_panel_plots_draw_on_the_axes_given():
    fig = plots.new_figure(12, 3)
    axes = fig.subplots(1, 3)
    assert list(plots.compare_runs({"x": HISTORY}, axes=axes[:2])) == list(axes[:2])
    assert len(fig.axes) == 3 and axes[0].get_title() == "loss" and not axes[2].get_lines()
    assert list(plots.plot_layer_stats({"he": [Layer(0.3, 0.4, 0.5)] * 2}, axes=axes)) == list(axes)
    assert len(fig.axes) == 3 and axes[2].get_title() == "gradient norm of the kernel"
    grid_fig = plots.new_figure()
    grid_axes = grid_fig.subplots(1, 2)
    assert list(plots.image_grid(np.zeros((2, 8, 8)), axes=grid_axes)) == list(grid_axes)
    with pytest.raises(ValueError, match="needs 2 axes"):
        plots.compare_runs({"x": HISTORY}, axes=[axes[0]])


# --- legends never cover data --------------------------------------------------------------------

PANEL_LABEL = "digits, glorot_uniform, adam, lr=1.0e-03, no softmax, from_logits=False, epochs=10"


def legend_clear_of_the_data(ax):
    ax.figure.draw_without_rendering()
    legend, frame = ax.get_legend().get_window_extent(), ax.get_window_extent()
    return legend.x0 >= frame.x1 and legend.width <= frame.width * 1.2


def test_legends_stand_beside_the_data_not_on_it():
    ax = plots.plot_history(HISTORY, label=PANEL_LABEL, num_classes=10)
    assert legend_clear_of_the_data(ax)
    panels = plots.compare_runs({PANEL_LABEL: HISTORY, "baseline": HISTORY}, num_classes=10)
    assert panels[0].get_legend() is None and legend_clear_of_the_data(panels[1])
    assert any(text.get_text().startswith("ln(10)") for text in panels[1].get_legend().get_texts())
    stats = plots.plot_layer_stats({PANEL_LABEL: [Layer(0.3, 0.4, 0.5)] * 2})
    assert legend_clear_of_the_data(stats[2])
    plt.close("all")


def test_the_knob_panels_plot_keeps_its_legend_off_the_curves():
    from course_utils.widgets import KnobPanel, Toggle

    class History:
        history = HISTORY

    panel = KnobPanel(lambda **knobs: History(), [Toggle("no_softmax", True)], num_classes=10)
    panel.run()
    figure = plots.new_figure(4.8, 3.4)
    plots.plot_history(HISTORY, label=PANEL_LABEL, num_classes=10, ax=figure.subplots())
    assert legend_clear_of_the_data(figure.axes[0])
    assert bytes(panel.plot.value).startswith(b"\x89PNG")


def test_confusion_matrix_rows_are_shares_and_axes_are_labelled():
    matrix = np.array([[8, 2, 0], [0, 5, 5], [0, 0, 0]])
    ax = plots.plot_confusion_matrix(matrix, ["a", "b", "c"], title="test")
    shown = ax.images[0].get_array()
    assert np.allclose(shown[0], [0.8, 0.2, 0]) and np.allclose(shown[2], 0)  # an empty row stays 0
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    assert {text.get_text() for text in ax.texts} == {".80", ".20", ".50"}
    counts = plots.plot_confusion_matrix(matrix, normalize=False, ax=plt.subplots()[1])
    assert "8" in {text.get_text() for text in counts.texts}
    plt.close("all")


def test_confusion_matrix_refuses_a_non_square_matrix():
    import pytest

    with pytest.raises(ValueError, match="square"):
        plots.plot_confusion_matrix(np.zeros((2, 3)))
    plt.close("all")
