"""The seed article is the corpus text, byte for byte."""

import hashlib

SEED_SHA256 = "613420153a0f2087cc8751ea791ebc09a80204c26ab6c37fda5eed15e465c504"


def test_seed_hash(repo_root):
    data = (repo_root / "seeds" / "000_b245f45723a17301.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256


def test_seed_shape(repo_root):
    text = (repo_root / "seeds" / "000_b245f45723a17301.txt").read_text("utf-8")
    assert text.isascii()
    assert len(text.split("\n")) == 24
    assert not text.endswith("\n")
