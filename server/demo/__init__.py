"""Demo data for Hanoi (marked as demo): see seed.py."""
