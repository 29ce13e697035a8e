"""Predict Ames house prices: a collaborative feature-engineering project.

Raw data: `ames.load_data.load_data()`. Features: one module per feature under
`ames/features/contrib/user_<login>/feature_<name>.py`, contributed as pull
requests from JupyterLab with jupyter-ext.
"""
