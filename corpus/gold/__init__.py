"""Human-reviewable gold annotation sources (anchored by text, never by typed offsets)."""
