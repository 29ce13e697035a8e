"""Features of the Ames project.

Accepted features live in `contrib/user_<login>/feature_<name>.py`, one per
module, each defining `input`, `transformer`, `name` (and optionally
`description`, `output`) and usually `feature = Feature(...)`.
"""
