"""PNG charts of the analysis for a slide: the tornado and the distribution of net savings (matplotlib, no screen)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..analysis import Bar

BARS_SHOWN = 12
"""The tornado shows the inputs with the largest swings; the rest move the outcome less."""


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    from matplotlib import pyplot

    return pyplot


def _euros(value: float, _position: object = None) -> str:
    return f"€{value:,.0f}" if value >= 0 else f"-€{-value:,.0f}"


def tornado_png(bars: Sequence[Bar], base_net: float, path: Path) -> Path:
    """Fine-tuning's net savings with each input at Low and at High around the Base, largest swing on top."""
    pyplot = _pyplot()
    from matplotlib.ticker import FuncFormatter

    shown = [bar for bar in bars if bar.swing > 0][:BARS_SHOWN][::-1]
    figure, axes = pyplot.subplots(figsize=(9, 0.45 * max(len(shown), 4) + 1.4), dpi=150)
    for row, bar in enumerate(shown):
        for value, colour, label in ((bar.low, "#C00000", "input at Low"), (bar.high, "#2E75B6", "input at High")):
            axes.barh(row, value - base_net, left=base_net, color=colour, label=label if row == 0 else None)
    axes.set_yticks(range(len(shown)), [bar.name.replace("_", " ") for bar in shown])
    axes.axvline(base_net, color="black", linewidth=1)
    axes.axvline(0, color="#7F7F7F", linewidth=1, linestyle="--")
    axes.xaxis.set_major_formatter(FuncFormatter(_euros))
    axes.set_xlabel("Net savings of fine-tuning against the best other option")
    axes.set_title(f"What moves the decision (Base {_euros(base_net)}; dashed: break-even)")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


def distribution_png(bins: Sequence[tuple[float, float, float]], title: str, path: Path) -> Path:
    """The share of Monte Carlo draws in each bin of net savings; losses in red."""
    pyplot = _pyplot()
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    figure, axes = pyplot.subplots(figsize=(9, 4.5), dpi=150)
    for low, high, share in bins:
        colour = "#C00000" if high <= 0 else "#2E75B6"
        axes.bar(low, share, width=high - low, align="edge", color=colour, edgecolor="white")
    axes.axvline(0, color="#7F7F7F", linewidth=1, linestyle="--")
    axes.xaxis.set_major_formatter(FuncFormatter(_euros))
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel("Net savings of fine-tuning against the best other option")
    axes.set_ylabel("Share of draws")
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path
