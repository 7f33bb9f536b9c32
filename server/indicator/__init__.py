"""Indicator 4.4: share of traditional markets not using non-biodegradable nylon bags."""
