"""Pure core: standard library, nbformat and our own models only.

Nothing under `jupyter_ext.core` may import tornado, jupyter_server or PyGithub;
tests/test_layering.py enforces it.
"""
