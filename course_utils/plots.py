"""Plots: training histories with the ln(K) line, run comparisons, image grids, layer statistics.

Conventions: a single-panel plot takes ``ax=None`` and returns its Axes; a multi-panel plot
takes ``axes=None`` and returns its axes as :class:`Panels`. Given none, they open a new pyplot
figure, which Jupyter shows (the knob panels pass axes of a figure they render themselves).
Legends stand beside the axes, never on the data. Each run keeps one colour from plot to plot,
and no two runs in one plot share a colour.
"""

from __future__ import annotations

import io
import math
import textwrap

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.colors import hsv_to_rgb, to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

LEGEND_WIDTH = 28  # characters: longer labels wrap, so that a legend stays narrower than its plot
LEGEND_ROWS = 12  # entries in one column of a legend; more entries make more columns


def _candidate_colors() -> list[str]:
    """matplotlib's ten default colours, tab20's ten lighter shades, then a thousand hues spaced
    by the golden ratio: every colour a run can get, in the order runs get them."""
    colors = list(plt.rcParams["axes.prop_cycle"].by_key()["color"]) + list(matplotlib.colormaps["tab20"].colors[1::2])
    colors += [hsv_to_rgb(((index * 0.618033988749895) % 1, 0.8 - 0.35 * (index % 3) / 2, 0.85 - 0.3 * (index % 2)))
               for index in range(1000)]
    return list(dict.fromkeys(to_hex(color) for color in colors))


_COLORS = _candidate_colors()
_RUN_COLORS: dict[str, str] = {}


def run_color(label: str, taken=()) -> str:
    """The colour of a run: the same label keeps its colour from plot to plot, unless another run
    in the same plot has it already (``taken``, the colours of that plot's other runs); then it gets
    a colour none of them has. A new label gets the first colour no label has had yet."""
    taken = {to_hex(color) for color in taken}
    own = _RUN_COLORS.get(label)
    if own is not None and own not in taken:
        return own
    free = [color for color in _COLORS if color not in taken]
    if not free:
        raise ValueError(f"more than {len(_COLORS)} runs in one plot: too many to tell apart by colour")
    used = set(_RUN_COLORS.values())
    color = next((color for color in free if color not in used), free[0])
    _RUN_COLORS.setdefault(label, color)
    return color


class Panels(tuple):
    """The axes of a multi-panel plot, in reading order, and their ``figure``.

    Indexing, iterating and unpacking give the axes (``loss_ax, accuracy_ax = compare_runs(...)``).
    Any other attribute is the figure's (``suptitle``, ``tight_layout``, ``savefig``, ``axes``), so
    code written when these functions returned the figure keeps working.
    """

    def __new__(cls, axes, figure: Figure):
        panels = super().__new__(cls, axes)
        panels.figure = figure
        return panels

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.figure, name)

    def __repr__(self) -> str:
        return f"<Panels: {len(self)} axes>"


def _legend_beside(ax, sources=None) -> None:
    """One legend to the right of ``ax``, outside it, its labels wrapped: the entries of ``ax``, or
    of every axes in ``sources`` (each label once)."""
    entries = {}
    for source in sources or [ax]:
        for handle, label in zip(*source.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    if entries:
        ax.legend(list(entries.values()), [textwrap.fill(label, LEGEND_WIDTH) for label in entries],
                  loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize="small", frameon=False,
                  ncol=math.ceil(len(entries) / LEGEND_ROWS))


def history_dict(history) -> dict[str, list[float]]:
    """The metrics of a Keras ``History`` (or of a plain dict) as a dict of lists."""
    return dict(getattr(history, "history", history))


def plot_history(history, *, label: str = "run", metric: str = "loss", num_classes: int | None = None, ax=None):
    """Plots one run: training solid, validation dashed, in the run's own colour.

    Args:
        history: a Keras ``History`` or a dict such as ``{"loss": [...], "val_loss": [...]}``.
        label: the run's name, which also fixes its colour.
        metric: the metric to plot, e.g. ``"loss"`` or ``"accuracy"``.
        num_classes: when given and ``metric`` is the loss, a grey line at ln(K),
            the loss of a model that predicts every class with probability 1/K.
        ax: axes to draw on; a new figure when ``None``.

    Returns:
        The axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    _plot_run(ax, history_dict(history), label, metric, num_classes, run_color(label, _colors_of_others(ax, label)))
    _legend_beside(ax)
    return ax


def _colors_of_others(ax, label: str) -> list:
    """The colours of the lines on ``ax`` that are not ``label``'s run."""
    return [line.get_color() for line in ax.get_lines() if not line.get_label().startswith(f"{label} (")]


def _plot_run(ax, values: dict, label: str, metric: str, num_classes: int | None, color) -> None:
    if metric in values:
        epochs = range(1, len(values[metric]) + 1)
        ax.plot(epochs, values[metric], color=color, linestyle="-", label=f"{label} (train)")
    if f"val_{metric}" in values:
        epochs = range(1, len(values[f"val_{metric}"]) + 1)
        ax.plot(epochs, values[f"val_{metric}"], color=color, linestyle="--", label=f"{label} (validation)")
    if num_classes and metric == "loss":
        _chance_line(ax, num_classes)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(metric)


def _chance_line(ax, num_classes: int) -> None:
    level = math.log(num_classes)
    already = any(line.get_label().startswith("ln(") for line in ax.get_lines())
    if not already:
        ax.axhline(level, color="grey", linestyle=":", linewidth=1, label=f"ln({num_classes}) = {level:.3f}")


def _colors_for(labels, axes) -> dict[str, str]:
    """One colour per run, none shared with another run of the plot or with lines already there."""
    taken = [line.get_color() for ax in axes for line in ax.get_lines()]
    colors: dict[str, str] = {}
    for label in labels:
        colors[label] = run_color(label, taken + list(colors.values()))
    return colors


def _panels(axes, count: int, new, what: str) -> tuple[list, Figure, bool]:
    """The axes to draw on: those given (at least ``count``), or new ones from ``new()``."""
    if axes is None:
        fig, made = new()
        return list(made.flat), fig, True
    axes = list(getattr(axes, "flat", axes))
    if len(axes) < count:
        raise ValueError(f"{what} needs {count} axes, got {len(axes)}")
    return axes, axes[0].figure, False


def compare_runs(histories: dict, *, metrics=("loss", "accuracy"), num_classes: int | None = None, axes=None):
    """Plots several runs side by side, one panel per metric, one legend beside the last panel.

    Args:
        histories: run label → Keras ``History`` or dict.
        metrics: the metrics to show, one panel each.
        num_classes: draws the ln(K) line on the loss panel.
        axes: one axes per metric to draw on; a new figure when ``None``.

    Returns:
        The axes, one per metric (:class:`Panels`; ``.figure`` is their figure).
    """
    axes, fig, made = _panels(axes, len(metrics), lambda: plt.subplots(
        1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False), "compare_runs")
    axes = axes[:len(metrics)]
    colors = _colors_for(histories, axes)
    for ax, metric in zip(axes, metrics, strict=True):
        for label, history in histories.items():
            _plot_run(ax, history_dict(history), label, metric, num_classes, colors[label])
        ax.set_title(metric)
    _legend_beside(axes[-1], axes)
    if made:
        fig.tight_layout()
    return Panels(axes, fig)


def image_grid(images, labels=None, class_names=None, *, ncols: int = 8, max_images: int = 32, axes=None):
    """Shows images in a grid, each titled with its class name when labels are given.

    Args:
        axes: the grid's axes to draw on, at least one per image shown; a new figure when ``None``.

    Returns:
        The axes of the grid, in reading order (:class:`Panels`; ``.figure`` is their figure).
    """
    count = min(len(images), max_images)
    nrows = max(1, math.ceil(count / ncols))
    axes, fig, made = _panels(axes, count, lambda: plt.subplots(
        nrows, ncols, figsize=(1.3 * ncols, 1.45 * nrows), squeeze=False), "image_grid")
    for index, ax in enumerate(axes):
        ax.axis("off")
        if index >= count:
            continue
        image = images[index]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        if labels is not None:
            label = int(labels[index])
            ax.set_title(class_names[label] if class_names else str(label), fontsize="small")
    if made:
        fig.tight_layout()
    return Panels(axes, fig)


def new_figure(width: float = 6, height: float = 3.5) -> Figure:
    """A figure outside pyplot, safe to draw from a background thread."""
    return Figure(figsize=(width, height))


def figure_png(fig: Figure) -> bytes:
    """Renders a figure to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


LOG_DECADES = 4  # a log panel spans at least this many powers of ten, so that steady looks steady

LAYER_PANELS = (
    ("activation_mean", "activation mean", "symlog"),  # signed, from 0 to astronomical: log beyond ±1e-3
    ("activation_std", "activation std", "log"),
    ("gradient_norm", "gradient norm of the kernel", "log"),
)


def plot_layer_stats(stats_by_run: dict, *, axes=None, fig: Figure | None = None, title: str = ""):
    """Per-layer statistics of several runs, one panel each: activation mean (on a symmetric log
    scale), activation std and gradient norm (on a log scale, where a vanishing or exploding signal
    is a slope).

    Args:
        stats_by_run: run label → list of per-layer records with ``activation_mean``,
            ``activation_std`` and ``gradient_norm`` (``probes.layer_statistics`` gives them).
        axes: three axes to draw on; else new ones on ``fig``, or on a new pyplot figure.
        fig: a figure to draw the three panels on (e.g. ``new_figure()`` in a knob panel's preview).
        title: the figure's title.

    Returns:
        The three axes (:class:`Panels`; ``.figure`` is their figure).
    """
    if not stats_by_run:
        raise ValueError("stats_by_run needs at least one run: {label: layer statistics}")
    if axes is None and fig is not None:
        fig.set_size_inches(13, 3.6)
        axes = fig.subplots(1, len(LAYER_PANELS))
        made = True
    else:
        axes, fig, made = _panels(axes, len(LAYER_PANELS), lambda: plt.subplots(
            1, len(LAYER_PANELS), figsize=(13, 3.6), squeeze=False), "plot_layer_stats")
    axes = list(axes)[:len(LAYER_PANELS)]
    colors = _colors_for(stats_by_run, axes)
    for ax, (field, label, scale) in zip(axes, LAYER_PANELS, strict=True):
        for run, stats in stats_by_run.items():
            values = [getattr(layer, field) for layer in stats]
            ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, color=colors[run], label=run)
        ax.set_yscale(scale, **({"linthresh": 1e-3} if scale == "symlog" else {}))
        if scale == "log":
            _span_at_least(ax, LOG_DECADES)
        ax.set_title(label)
        ax.set_xlabel("layer (with a kernel)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_beside(axes[-1])
    if title:
        fig.suptitle(title)
    if made:
        fig.tight_layout()
    return Panels(axes, fig)


def _span_at_least(ax, decades: float) -> None:
    """Widens a log axis around its middle to at least ``decades`` powers of ten."""
    low, high = ax.get_ylim()
    if 0 < low and high < math.inf and high / low < 10**decades:
        middle = math.sqrt(low * high)
        ax.set_ylim(middle / 10 ** (decades / 2), middle * 10 ** (decades / 2))


def plot_confusion_matrix(matrix, class_names=None, *, normalize: bool = True, title: str = "", ax=None):
    """A confusion matrix as a heat map: row = true class, column = predicted class.

    Args:
        matrix: square array of counts (``data_problems.confusion_matrix`` gives one).
        class_names: tick labels; the class indices when ``None``.
        normalize: colour and write each row as shares of its class (its recall on the diagonal);
            counts otherwise.
        title: the axes' title.
        ax: axes to draw on; a new figure when ``None``.

    Returns:
        The axes.
    """
    import numpy as np

    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {matrix.shape}")
    count = matrix.shape[0]
    names = list(class_names) if class_names is not None else [str(index) for index in range(count)]
    if len(names) != count:
        raise ValueError(f"{len(names)} class names for a {count}×{count} matrix")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.45 * count + 1.5, 0.45 * count + 1.2))
    if normalize:
        totals = matrix.sum(axis=1, keepdims=True)
        shown = np.divide(matrix, totals, out=np.zeros(matrix.shape, dtype=float), where=totals > 0)
    else:
        shown = matrix
    ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else max(1, shown.max()))
    for row in range(count):
        for column in range(count):
            value = shown[row, column]
            if value:
                text = f"{value:.2f}".lstrip("0") if normalize else str(int(value))
                dark = value > (0.5 if normalize else shown.max() / 2)
                ax.text(column, row, text, ha="center", va="center", fontsize="x-small",
                        color="white" if dark else "black")
    ax.set_xticks(range(count), names, fontsize="small")
    ax.set_yticks(range(count), names, fontsize="small")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize="medium")
    return ax
