"""``python -m newsbench.eval``: the newsbench command line."""

from newsbench.eval.entry import run

run()
