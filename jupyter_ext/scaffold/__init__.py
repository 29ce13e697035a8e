"""Project scaffolding for maintainers: `ballet.yml`, the Ballet layout, the CI workflow.

config    render a `ballet.yml` from a few settings (used by `init` and the demo)
workflow  the GitHub Actions workflow that runs `jupyter-ext validate` in CI
checks    what an existing project is missing, as findings a person can act on
init      `jupyter-ext init [DIR]`
"""
