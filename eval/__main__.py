"""``python -m newsbench.eval``: the newsbench command line."""

import sys

from newsbench.eval.cli import main

sys.exit(main())
