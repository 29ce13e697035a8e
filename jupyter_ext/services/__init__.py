"""Services: the server's use cases, built once per server in `JupyterExt.initialize_settings`.

Handlers in routes.py reach them as `self.extensionapp.<service>`. Services may talk to
Jupyter (the contents manager) and run blocking work off the event loop; the pure logic
they call lives in `jupyter_ext.core`.
"""
