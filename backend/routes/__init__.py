"""REST blueprints, one per module; `register(app)` installs them all."""

from __future__ import annotations

from flask import Flask

from . import (arena, commands, config_routes, docs, entities, health, runs, runs_snapshot, sim, smoke, state, stations,
               tasks, testhooks, web)

BLUEPRINTS = (tasks, smoke, state, config_routes, sim, entities, commands, health, docs, runs, runs_snapshot,
              stations, arena)


def register(app: Flask, test_hooks: bool) -> None:
    for module in BLUEPRINTS:
        app.register_blueprint(module.bp)
    if test_hooks:
        app.register_blueprint(testhooks.bp)
    app.register_blueprint(web.bp)  # last: its catch-all must not shadow /api
