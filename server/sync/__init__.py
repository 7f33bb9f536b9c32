"""Visits and the sync protocol: exactly-once push, gap-free pull (DESIGN §5)."""
