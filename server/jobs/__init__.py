"""Scheduled work (DESIGN §8): one APScheduler, guarded so it runs in one process only."""
