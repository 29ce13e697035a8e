"""jupyter-ext: notebook cells -> validated feature modules -> pull requests.

This module holds entry points only. Importing it must stay cheap: it is
imported on every `jupyter server` start, so nothing here may import pandas,
scikit-learn or PyGithub (see tests/test_startup.py).
"""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - source tree without a build
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyter-ext"}]


def _jupyter_server_extension_points():
    from .app import JupyterExt

    return [{"module": "jupyter_ext", "app": JupyterExt}]


def __getattr__(name):
    # `from jupyter_ext import Feature` for feature authors, without making the
    # server pay for the import at start-up.
    if name == "Feature":
        from .core.feature import Feature

        return Feature
    raise AttributeError(name)
