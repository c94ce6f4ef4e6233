"""Static figures of one or more reports: ``newsbench plot REPORT.json... --out DIR``.

Three kinds of figure, each written in every requested format:

* ``leaderboard-<layer>``: per layer, the headline F1 of every system with its
  bootstrap confidence interval as an error bar;
* ``per-type-f1``: strict entity F1 per type, one bar per system;
* ``confusion-<system>``: the entity type confusion matrix of each system,
  with the missed column and the spurious row (see
  :func:`newsbench.eval.html_report.confusion_counts`).

matplotlib (the ``plot`` extra) is imported lazily, with the Agg backend; SVG
output is made reproducible (fixed hash salt, no date).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsbench.eval.html_report import confusion_counts
from newsbench.eval.report_files import report_input
from newsbench.schema.paths import PathSpec, declare_paths

SYSTEM_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
"""Okabe–Ito colours, one per system (cycled)."""

LAYER_TITLES = {
    "entities": "Entities",
    "timex": "Time expressions",
    "events": "Events",
    "attr": "Attributions",
    "coref": "Coreference",
}
INSTALL_HINT = "pip install 'newsbench[plot]' (matplotlib)"


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed."""


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise PlotUnavailable(f"plots need matplotlib: {INSTALL_HINT}") from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "newsbench", "font.size": 9})
    return plt


def _save(plt: Any, fig: Any, out_dir: Path, stem: str, formats: Sequence[str]) -> list[Path]:
    written = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        metadata: dict[str, Any] = {"Date": None} if fmt in {"svg", "pdf"} else {}
        fig.savefig(path, format=fmt, dpi=150, bbox_inches="tight", metadata=metadata or None)
        written.append(path)
    plt.close(fig)
    return written


def _headline_by_layer(reports: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    layers: dict[str, list[str]] = {}
    for report in reports.values():
        for metric in report.get("headline", {}):
            names = layers.setdefault(metric.split(".", 1)[0], [])
            if metric not in names:
                names.append(metric)
    return layers


def _leaderboard(
    plt: Any, reports: Mapping[str, Mapping[str, Any]], out_dir: Path, formats: Sequence[str]
) -> list[Path]:
    written: list[Path] = []
    systems = list(reports)
    for layer, metrics in _headline_by_layer(reports).items():
        height = 0.8 / max(1, len(systems))
        fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.32 * len(metrics) * len(systems)))
        for s, system in enumerate(systems):
            headline = reports[system].get("headline", {})
            ys, f1s, lows, highs = [], [], [], []
            for m, metric in enumerate(metrics):
                entry = headline.get(metric)
                if entry is None:
                    continue
                f1 = 100 * float(entry["f1"])
                ci = entry.get("ci")
                ys.append(m + (s - (len(systems) - 1) / 2) * height)
                f1s.append(f1)
                lows.append(max(0.0, f1 - 100 * ci["low"]) if ci else 0.0)
                highs.append(max(0.0, 100 * ci["high"] - f1) if ci else 0.0)
            ax.barh(
                ys,
                f1s,
                height=height * 0.9,
                color=SYSTEM_COLOURS[s % len(SYSTEM_COLOURS)],
                label=system,
                xerr=[lows, highs],
                error_kw={"ecolor": "#333333", "capsize": 2, "linewidth": 1},
            )
        ax.set_yticks(range(len(metrics)), metrics)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("F1 (%) with bootstrap CI")
        ax.set_title(f"{LAYER_TITLES.get(layer, layer)}: leaderboard")
        ax.grid(axis="x", linestyle=":", alpha=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        written += _save(plt, fig, out_dir, f"leaderboard-{layer}", formats)
    return written


def _per_type(
    plt: Any, reports: Mapping[str, Mapping[str, Any]], out_dir: Path, formats: Sequence[str]
) -> list[Path]:
    per_system = {
        name: report.get("entities", {}).get("entities", {}).get("strict", {}).get("per_type", {})
        for name, report in reports.items()
    }
    types = sorted({t for per_type in per_system.values() for t in per_type})
    if not types:
        return []
    systems = list(per_system)
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(min(12.0, 2.0 + 0.25 * len(types) * len(systems)), 3.6))
    for s, system in enumerate(systems):
        xs = [t + (s - (len(systems) - 1) / 2) * width for t in range(len(types))]
        values = [100 * float(per_system[system].get(t, {}).get("f1", 0.0)) for t in types]
        ax.bar(
            xs,
            values,
            width=width * 0.9,
            color=SYSTEM_COLOURS[s % len(SYSTEM_COLOURS)],
            label=system,
        )
    supports = [
        max(int(per_system[s].get(t, {}).get("support", 0)) for s in systems) for t in types
    ]
    ax.set_xticks(range(len(types)), [f"{t}\nn={n}" for t, n in zip(types, supports, strict=True)])
    ax.set_ylim(0, 100)
    ax.set_ylabel("strict F1 (%)")
    ax.set_title("Entities: strict F1 per type")
    ax.grid(axis="y", linestyle=":", alpha=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _save(plt, fig, out_dir, "per-type-f1", formats)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "system"


def _confusion(
    plt: Any, reports: Mapping[str, Mapping[str, Any]], out_dir: Path, formats: Sequence[str]
) -> list[Path]:
    written: list[Path] = []
    for system, report in reports.items():
        matrix = confusion_counts(report)
        if len(matrix["rows"]) <= 1:
            continue
        counts = matrix["counts"]
        rows, columns = matrix["rows"], matrix["columns"]
        peak = max(max(r) for r in counts) or 1
        fig, ax = plt.subplots(figsize=(1.2 + 0.62 * len(columns), 1.0 + 0.5 * len(rows)))
        ax.imshow(counts, cmap="Blues", vmin=0, vmax=peak, aspect="auto")
        for i, row in enumerate(counts):
            for j, value in enumerate(row):
                dark = value > peak * 0.55
                ax.text(
                    j,
                    i,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else ("#999999" if value == 0 else "black"),
                )
        ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xlabel("predicted type")
        ax.set_ylabel("gold type")
        ax.set_title(f"{system}: entity type confusion")
        written += _save(plt, fig, out_dir, f"confusion-{_safe(system)}", formats)
    return written


def plot_reports(
    reports: Mapping[str, Mapping[str, Any]],
    out_dir: str | Path,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Write the leaderboard, per-type and confusion figures of ``reports``.

    Args:
        reports: System name -> report (from :func:`newsbench.eval.harness.score_documents`).
        out_dir: The directory to write into (created if needed).
        formats: matplotlib output formats.

    Returns:
        The paths written.

    Raises:
        PlotUnavailable: matplotlib is not installed.
    """
    if not reports:
        return []
    plt = _pyplot()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [
        *_leaderboard(plt, reports, out, formats),
        *_per_type(plt, reports, out, formats),
        *_confusion(plt, reports, out, formats),
    ]


def _system_names(paths: Sequence[Path]) -> list[str]:
    names = [p.stem for p in paths]
    if len(set(names)) == len(names):
        return names
    return [f"{p.parent.name}/{p.stem}" if names.count(p.stem) > 1 else p.stem for p in paths]


def command_plot(args: argparse.Namespace) -> int:
    """Plot stored reports into a directory."""
    from newsbench.eval.report import read_report
    from newsbench.schema.problems import DataError

    reports: dict[str, dict[str, Any]] = {}
    problems = []
    for name, path in zip(_system_names(args.reports), args.reports, strict=True):
        try:
            reports[name] = read_report(path)
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        return 1
    try:
        written = plot_reports(reports, args.out, formats=args.format)
    except PlotUnavailable as exc:
        print(f"newsbench: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} file(s) to {args.out}/")
    return 0


def register_plot(sub: Any) -> None:
    """Entry point: add ``newsbench plot`` to the command line."""
    parser = sub.add_parser(
        "plot", help="figures of stored reports: leaderboard, per-type F1, confusion"
    )
    parser.add_argument(
        "reports", nargs="+", type=Path, metavar="REPORT.json", help="reports of newsbench score"
    )
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument(
        "--format",
        nargs="+",
        default=["png", "svg"],
        choices=["png", "svg", "pdf"],
        help="output formats (default: png svg)",
    )
    parser.set_defaults(handler=command_plot)
    declare_paths(
        parser,
        report_input("reports", "REPORT.json"),
        PathSpec("out", "--out", "output", "dir"),
    )
