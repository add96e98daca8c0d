"""`/vendor/<path>`: browser libraries installed from the npm registry (`npm ci --omit=dev`).

Only the files of the allow-list are served, straight from node_modules: never a CDN,
never the rest of node_modules.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
ALLOWED = frozenset(
    {
        "fullcalendar/index.global.min.js",
        "@fullcalendar/core/locales-all.global.min.js",
        "luxon/build/global/luxon.min.js",
        "@fullcalendar/luxon3/index.global.min.js",
        "chart.js/dist/chart.umd.min.js",
    }
)

bp = Blueprint("vendor", __name__)


@bp.route("/vendor/<path:filename>")
def file(filename: str):
    """One allow-listed file of node_modules (404 otherwise, or when not installed)."""
    if filename not in ALLOWED or not (NODE_MODULES / filename).is_file():
        abort(404)
    return send_from_directory(NODE_MODULES, filename, max_age=86400)
