"""Validation: feature API checks, acceptance, the worker subprocess and its async runner.

Only `runner.py` (and the services that use it) run in the Jupyter server process; it
imports no numpy/pandas/sklearn. Everything that touches user code or data runs in the
worker (`worker.py`) or in the `jupyter-ext validate` CLI's worker.
"""
