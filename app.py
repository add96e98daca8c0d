"""WSGI entry point: `flask --app app run` or `gunicorn app:app`.

`CARFLOW_CONFIG=production` selects ProductionConfig (Secure cookies, behind HTTPS).
"""

import os

from carflow import create_app
from carflow.config import ProductionConfig

app = create_app(ProductionConfig if os.environ.get("CARFLOW_CONFIG") == "production" else None)
