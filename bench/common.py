"""What the benchmark scripts share: the database server, throwaway databases, logging."""

from __future__ import annotations

import os
import re
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
PREFIX = "tb_bench_"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_urls(name: str) -> tuple[str, str]:
    """(server URL, URL of database ``name`` on it). The server is DATABASE_URL's (CI gives one)
    with its database left out: the benchmarks never write to the database it names."""
    if not re.fullmatch(r"[a-z0-9_]+", name) or not name.startswith(PREFIX):
        raise SystemExit(f"database name {name!r}: lower-case, starting with {PREFIX}")
    given = os.environ.get("BENCH_SERVER_URL") or os.environ.get("DATABASE_URL") or ""
    parts = urlsplit(given.replace("postgresql://", "postgres://", 1) or DEFAULT_SERVER)
    if parts.scheme != "postgres":
        parts = urlsplit(DEFAULT_SERVER)  # a SQLite DATABASE_URL: use the local server
    server = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return server, f"{server}/{name}"


def _admin(server: str) -> Any:
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=10)


def recreate_database(server: str, name: str) -> None:
    with _admin(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    with _admin(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
