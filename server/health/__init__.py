"""Liveness and database check for operators and load balancers."""
