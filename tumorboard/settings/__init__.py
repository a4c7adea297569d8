"""Settings for the tumor board service.

Every value comes from the environment with a safe default for development. A malformed value
stops the process at start with a message that names the variable. See `.env.example` in
`deploy/` for the full list.

One settings module for every environment (DJANGO_SETTINGS_MODULE=tumorboard.settings), split by
concern so that each part stays readable:

- ``environment``: the parsers of environment variables, the paths and DEBUG;
- ``security``: keys, the audit chain's key, HTTPS, headers, logins, lockout, sessions;
- ``base``: apps, middleware, templates, database, static files, e-mail, REST API, logging;
- ``queues``: Celery and Redis (broker, caches, the API rate limit's store);
- ``workflow``: referrals and alerts, API tokens, webhooks, MDT quorum and access, demo data.
"""

from .base import *  # noqa: F403
from .environment import *  # noqa: F403
from .interfaces import *  # noqa: F403
from .queues import *  # noqa: F403
from .security import *  # noqa: F403
from .workflow import *  # noqa: F403
