"""Ward review of visits: append-only decisions; a visit's status is its latest decision."""
