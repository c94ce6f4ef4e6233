"""Argument types shared by the commands that resample or draw: checked as they are parsed.

A value out of range is a usage error (exit 2) that names the flag, before any file is
read, in every command alike (``newsbench compare --seed -1``,
``newsbench perturb --seed 2**70``, ``newsbench bench --resamples -1``).
"""

from __future__ import annotations

import argparse

__all__ = ["MAX_SEED", "random_seed", "resample_count"]

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
