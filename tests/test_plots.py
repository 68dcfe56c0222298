import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

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
