"""The HTTP API: the app (app.py), its shared context, error shape, guards and routers."""
