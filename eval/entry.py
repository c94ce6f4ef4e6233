"""The ``newsbench`` executable: :func:`newsbench.eval.cli.main`, and Ctrl-C before it runs.

Importing the command line, loading the plug-in subcommands and parsing the arguments
take a fraction of a second in which ``main``'s own handlers are not yet in place; a
Ctrl-C then ends the command with the same one line and exit code 130, never a traceback.
Nothing is written before ``main`` runs.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Run the command line and exit with its code."""
    try:
        from newsbench.eval.cli import main

        code = main()
    except KeyboardInterrupt:  # while starting; main reports the later ones itself
        print("newsbench: interrupted by SIGINT; no output was left half-written", file=sys.stderr)
        code = 130
    sys.exit(code)
