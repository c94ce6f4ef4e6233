"""General word lists (gazetteers and lexicons) of the rule-based baseline."""
