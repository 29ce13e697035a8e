"""GitHub: submission through PyGithub (`github.py`), sign-in, and the local forge.

Nothing here is imported when the Jupyter server starts: services import the
PyGithub-based modules lazily, and only `jupyter-ext forge` and tests import
`jupyter_ext.forge.local` (the GitHub-compatible server used offline).
"""
