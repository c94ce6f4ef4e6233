"""Published gold JSONL, built from ``newsbench.corpus.gold`` by ``newsbench build-corpus``."""
