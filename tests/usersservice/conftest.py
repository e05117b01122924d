"""Keeps pytest out of the service: its modules import only inside a configured Django.

The project runs pytest with `--doctest-modules`, which would import every module here.
"""

collect_ignore_glob = ["*"]
