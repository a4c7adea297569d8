"""gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py tumorboard.wsgi`.

Every value can be changed from the environment (deploy/.env.example); the defaults suit one
host behind nginx on the same machine.
"""

import gc
import multiprocessing
import os

wsgi_app = "tumorboard.wsgi:application"

# nginx proxies to this address; in containers bind 0.0.0.0:8000 (compose.yaml sets it).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# The usual 2 x cores + 1, capped: each worker holds a database connection (CONN_MAX_AGE).
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request taking longer is killed; PDF packets render in Celery, not in a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then (a slow leak never grows large); jitter keeps them from all
# restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
# The application is imported once, in the master, before the workers fork: a worker recycled
# after max_requests is ready at once instead of importing Django and the project again (a boot
# of 1-2 s of CPU that slowed every request in flight on a small host; bench/RESULTS.md).
# Nothing opens a database or Redis connection at import, so no connection is shared.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").strip().lower() in {"1", "true", "yes",
                                                                             "on"}
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# Trust X-Forwarded-Proto/-For only from nginx. Django then sees HTTPS (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log: method, path WITHOUT the query string (a search could carry a patient's name),
# status, seconds. Never the full request line (%(r)s) or the query (%(q)s).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(m)s %(U)s %(s)s %(L)s'

# gunicorn's own lines as JSON too when the service logs JSON (LOG_FORMAT, default json when
# DEBUG is off), so one collector parses everything.
_debug = os.environ.get("DEBUG", "true").strip().lower() in {"1", "true", "yes", "on"}
if os.environ.get("LOG_FORMAT", "plain" if _debug else "json").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "tumorboard.logging.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json",
                        "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json",
                              "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"],
                               "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def pre_fork(server: object, worker: object) -> None:
    """Before each worker is forked: the objects made while importing the application live as
    long as the process, so the collector stops walking them. A full collection in a worker
    then takes about 15 ms instead of 70 ms, the pauses that made the slowest 1 % of requests
    (bench/RESULTS.md, issue 22). With ``preload_app`` off it freezes gunicorn's own objects
    only, which is harmless."""
    gc.freeze()
