"""The two WSGI apps `bench/throughput.py` serves with gunicorn: Carflow on the benchmark
database (`BENCH_DATABASE_URL`) and a hello-world Flask app, the ceiling of the stack."""

from __future__ import annotations

import os

from flask import Flask


def carflow_app():
    """Carflow on the benchmark database, as `bench/run.py` measures it in-process."""
    from bench.app import bench_app

    return bench_app(os.environ["BENCH_DATABASE_URL"])


def hello_app():
    """The smallest Flask app: one route answering a short text."""
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "Hello, World!"

    return app
