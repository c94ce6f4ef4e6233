"""Published gold JSONL files, built from ``newsbench.corpus.gold`` by ``newsbench build-corpus``."""
