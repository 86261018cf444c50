"""Plots for evaluation reports (matplotlib, Agg canvas: no display, no pyplot state)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

QUALITY_METRICS = ("ndcg@10", "recall@100", "mrr")
LATENCY_METRICS = ("p50_ms", "p95_ms")


def _grouped_bars(ax: Axes, groups: tuple[str, ...],
                  summary: Mapping[str, Mapping[str, float]], fmt: str) -> None:
    """One group of bars per entry of ``groups``, one bar per system."""
    systems = list(summary)
    x = np.arange(len(groups))
    width = 0.8 / max(len(systems), 1)
    for i, system in enumerate(systems):
        values = [summary[system][g] for g in groups]
        bars = ax.bar(x + (i - (len(systems) - 1) / 2) * width, values, width,
                      label=system)
        ax.bar_label(bars, fmt=fmt, fontsize=7, padding=1)
    ax.set_xticks(x, list(groups))


def plot_metrics(summary: Mapping[str, Mapping[str, float]], path: str | Path) -> Path:
    """Save quality metrics (left) and search latency (right) per system as a PNG."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    quality, latency = fig.subplots(1, 2, width_ratios=[3, 2])

    _grouped_bars(quality, QUALITY_METRICS, summary, "%.3f")
    quality.set_ylim(0, 1.05)
    quality.set_ylabel("score")
    quality.set_title("Search quality")
    quality.legend(loc="upper left", fontsize=8)

    _grouped_bars(latency, LATENCY_METRICS, summary, "%.1f")
    latency.set_ylabel("milliseconds per search")
    latency.set_title("Search latency")

    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def plot_panels(panels: Mapping[str, Mapping[str, Mapping[str, float]]], path: str | Path,
                ylabel: str = "score") -> Path:
    """One bar panel per entry: ``{title: {system: {metric: value}}}``, metrics from the first."""
    fig = Figure(figsize=(5.5 * len(panels), 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, summary) in zip(axes, panels.items(), strict=True):
        metrics = tuple(next(iter(summary.values())))
        _grouped_bars(ax, metrics, summary, "%.3f")
        top = max((v for row in summary.values() for v in row.values()), default=1.0)
        ax.set_ylim(0, max(1.05, top * 1.15) if top > 1 else min(1.05, top * 1.3 + 0.05))
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize=8)
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path
