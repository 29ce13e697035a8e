"""Benchmarks: `.venv/bin/python -m benchmarks.<name>`; each prints its figures."""
