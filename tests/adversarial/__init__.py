"""Generators of adversarial inputs (big files are made in a temporary folder at test time)."""
