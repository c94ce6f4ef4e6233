"""Argument types shared by the commands that resample or draw: checked as they are parsed.

A value out of range is a usage error (exit 2) that names the flag, before any file is
read, in every command alike (``newsbench compare --seed -1``,
``newsbench perturb --seed 2**70``, ``newsbench bench --resamples -1``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["MAX_SEED", "add_inventory_option", "inventory_choice", "random_seed", "resample_count"]

MAX_SEED = 2**63 - 1
"""The largest seed: every generator the commands seed takes a 64-bit integer."""


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def random_seed(text: str) -> int:
    """A seed: a whole number from 0 to 2**63 - 1."""
    value = _integer(text)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range: give a seed from 0 to {MAX_SEED} (e.g. 12345, the default)"
        )
    return value


def resample_count(text: str) -> int:
    """A number of bootstrap resamples: a whole number of at least 1."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{text}: give a number of resamples of at least 1 (e.g. 1000, the default)"
        )
    return value


def inventory_choice(text: str) -> str:
    """An ``--inventory``: the name of a packaged inventory or an existing file."""
    from newsbench.schema.inventory import PACKAGED_INVENTORIES
    from newsbench.schema.problems import did_you_mean

    if text in PACKAGED_INVENTORIES or Path(text).exists():
        return text
    raise argparse.ArgumentTypeError(
        f"{text!r}: neither a packaged inventory{did_you_mean(text, PACKAGED_INVENTORIES)} "
        f"nor a file; choose one of {', '.join(PACKAGED_INVENTORIES)} or give an inventory "
        "JSON file"
    )


def add_inventory_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--inventory NAME|FILE``: the label inventory of the gold (default: newsbench)."""
    from newsbench.schema.inventory import PACKAGED_INVENTORIES

    parser.add_argument(
        "--inventory",
        metavar="NAME|FILE",
        type=inventory_choice,
        help="the label inventory of the gold: "
        + ", ".join(PACKAGED_INVENTORIES)
        + " or an inventory JSON file (default: newsbench)",
    )
