"""The project's settings with e-mail written to files after a pause (tests.reliability.slowmail).

For the Celery workers that the worker-death tests start and kill mid-send:
``DJANGO_SETTINGS_MODULE=tests.reliability.slowmail_settings`` in the worker's environment.
"""

from tumorboard.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.reliability.slowmail.SlowFileBackend"
