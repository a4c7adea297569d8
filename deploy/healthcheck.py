"""Container health: GET /health/ and require some of its checks (compose.yaml healthchecks).

    python deploy/healthcheck.py --require database,broker          (web: can it serve?)
    python deploy/healthcheck.py --url http://web:8000/health/ --require workers   (beat)

/health/ answers 503 when any part is down; a web container whose database and broker are up is
healthy even while workers are down, so that restarting it would not help and is not done.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000/health/")
    parser.add_argument("--require", default="database,broker,workers")
    args = parser.parse_args()
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",")]
    # The request comes from inside, in plain HTTP: say it is HTTPS as nginx would (gunicorn
    # trusts the header from FORWARDED_ALLOW_IPS) and use a host Django accepts.
    request = urllib.request.Request(  # noqa: S310 (a fixed http URL)
        args.url, headers={"Host": hosts[0] or "localhost", "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    except OSError as error:
        print(f"health: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    try:
        checks = json.loads(body)["checks"]
    except (ValueError, KeyError):
        print("health: not a /health/ report", file=sys.stderr)
        return 1
    down = [name for name in args.require.split(",") if not checks.get(name, {}).get("ok")]
    if down:
        print(f"health: down: {', '.join(down)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
