"""Traditional markets: the universe of indicator 4.4."""
