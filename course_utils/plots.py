"""Plots: training histories with the ln(K) line, run comparisons, image grids.

Each function draws on ``ax`` when given one (the knob panels pass axes of a figure
they render themselves) and otherwise opens a new pyplot figure, which Jupyter shows.
"""

from __future__ import annotations

import io
import math
from itertools import cycle

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

_PALETTE = cycle(plt.rcParams["axes.prop_cycle"].by_key()["color"])
_RUN_COLORS: dict[str, str] = {}


def run_color(label: str) -> str:
    """The colour of a run: the same label gets the same colour in every plot."""
    if label not in _RUN_COLORS:
        _RUN_COLORS[label] = next(_PALETTE)
    return _RUN_COLORS[label]


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
    values = history_dict(history)
    color = run_color(label)
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
    ax.legend(fontsize="small")
    return ax


def _chance_line(ax, num_classes: int) -> None:
    level = math.log(num_classes)
    already = any(line.get_label().startswith("ln(") for line in ax.get_lines())
    if not already:
        ax.axhline(level, color="grey", linestyle=":", linewidth=1, label=f"ln({num_classes}) = {level:.3f}")


def compare_runs(histories: dict, *, metrics=("loss", "accuracy"), num_classes: int | None = None):
    """Plots several runs side by side, one panel per metric.

    Args:
        histories: run label → Keras ``History`` or dict.
        metrics: the metrics to show, one panel each.
        num_classes: draws the ln(K) line on the loss panel.

    Returns:
        The figure.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        for label, history in histories.items():
            plot_history(history, label=label, metric=metric, num_classes=num_classes, ax=ax)
        ax.set_title(metric)
    fig.tight_layout()
    return fig


def image_grid(images, labels=None, class_names=None, *, ncols: int = 8, max_images: int = 32):
    """Shows images in a grid, each titled with its class name when labels are given.

    Returns:
        The figure.
    """
    count = min(len(images), max_images)
    nrows = max(1, math.ceil(count / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.45 * nrows), squeeze=False)
    for index, ax in enumerate(axes.flat):
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
    fig.tight_layout()
    return fig


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


def plot_layer_stats(stats_by_run: dict, *, fig: Figure | None = None, title: str = ""):
    """Per-layer statistics of several runs, one panel each: activation mean (on a symmetric log
    scale), activation std and gradient norm (on a log scale, where a vanishing or exploding signal
    is a slope).

    Args:
        stats_by_run: run label → list of per-layer records with ``activation_mean``,
            ``activation_std`` and ``gradient_norm`` (``probes.layer_statistics`` gives them).
        fig: a figure to draw on (e.g. ``new_figure()`` in a knob panel); a new pyplot figure
            when ``None``.
        title: the figure's title.

    Returns:
        The figure.
    """
    if not stats_by_run:
        raise ValueError("stats_by_run needs at least one run: {label: layer statistics}")
    if fig is None:
        fig = plt.figure(figsize=(13, 3.6))
    else:
        fig.set_size_inches(13, 3.6)
    axes = fig.subplots(1, len(LAYER_PANELS))
    for ax, (field, label, scale) in zip(axes, LAYER_PANELS, strict=True):
        for run, stats in stats_by_run.items():
            values = [getattr(layer, field) for layer in stats]
            ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, color=run_color(run), label=run)
        ax.set_yscale(scale, **({"linthresh": 1e-3} if scale == "symlog" else {}))
        if scale == "log":
            _span_at_least(ax, LOG_DECADES)
        ax.set_title(label)
        ax.set_xlabel("layer (with a kernel)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


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
