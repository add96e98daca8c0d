"""gunicorn settings for Carflow in production: `gunicorn -c gunicorn.conf.py app:app`.

Every value can be overridden from the environment (GUNICORN_*), e.g.
`GUNICORN_BIND=0.0.0.0:8000 GUNICORN_WORKERS=4 gunicorn -c gunicorn.conf.py app:app`.
Measured on this project (issue 12): with gunicorn's default 2 s keep-alive, a 50-user
load test saw 3.6 % connection resets; with a keep-alive longer than the clients' (and
the reverse proxy's) idle time there were none.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# Where to listen: behind a reverse proxy on the same host, loopback is enough.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers with threads: requests wait on the database and on SMTP-free pages
# (mail goes through the job queue), so a few threads per process use the cores well.
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)

# Keep idle connections open longer than the clients and the proxy do (nginx's
# `keepalive_timeout` is 75 s by default on the client side, 60 s upstream): a connection the
# server closes while a client reuses it is a reset.
keepalive = _int("GUNICORN_KEEPALIVE", 30)
# A request that takes longer than this is a stuck worker: it is killed and restarted.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)

# Recycle workers now and then (bounded memory growth), staggered so they never all restart.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)

# Logs to stdout/stderr for the process manager (systemd, Docker) to collect.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Requests bigger than the app's limit are refused by the app (413); these only bound the
# request line and headers.
limit_request_line = 8190
limit_request_fields = 100

# Trust X-Forwarded-* only from the local proxy (Carflow's CARFLOW_PROXY_HOPS does the rest).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
