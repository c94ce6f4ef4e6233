"""newsbench.eval: the evaluation harness (align, score, report, gate) and the CLI."""
