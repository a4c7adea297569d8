#!/bin/sh
# One image, one role per container: web | worker | webhooks | adt | beat | migrate | anything else runs as is.
set -e
case "$1" in
  web)
    shift
    exec gunicorn -c deploy/gunicorn.conf.py "$@"
    ;;
  worker)
    shift
    exec celery -A tumorboard worker --loglevel="${CELERY_LOG_LEVEL:-INFO}" \
      -Q "${CELERY_TASK_DEFAULT_QUEUE:-celery}" \
      --concurrency="${CELERY_CONCURRENCY:-2}" -O fair --max-tasks-per-child=200 \
      --without-gossip --without-mingle --hostname="worker@${HOSTNAME:-%h}" "$@"
    ;;
  adt)
    # The HL7 v2 ADT listener (MLLP over TCP), its own process (issue 21).
    shift
    exec python manage.py adt_listener "$@"
    ;;
  webhooks)
    # Webhook deliveries only: threads, since each waits on a remote server (short timeouts).
    shift
    exec celery -A tumorboard worker --loglevel="${CELERY_LOG_LEVEL:-INFO}" \
      -Q "${CELERY_WEBHOOK_QUEUE:-webhooks}" --pool=threads \
      --concurrency="${CELERY_WEBHOOK_CONCURRENCY:-8}" \
      --without-gossip --without-mingle --hostname="webhooks@${HOSTNAME:-%h}" "$@"
    ;;
  beat)
    shift
    exec celery -A tumorboard beat --loglevel="${CELERY_LOG_LEVEL:-INFO}" "$@"
    ;;
  migrate)
    exec python manage.py migrate --noinput
    ;;
  *)
    exec "$@"
    ;;
esac
