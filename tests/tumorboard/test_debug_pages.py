"""The development error pages (DEBUG on) show no password and list no URL to a stranger."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db

# Passwords made at run time: the debug page quotes this file's source around the raise, so a
# literal would show up there.
PW = {name: f"{name.lower()}-{'Pw'}-{n}" for n, name in enumerate(
    ("DB", "REDIS", "MAIL", "BROKER", "OPTS", "CACHE"), start=51)}
SECRETS = {
    "DATABASE_URL": f"postgres://tumorboard:{PW['DB']}@db.internal:5432/tumorboard",
    "REDIS_URL": f"redis://:{PW['REDIS']}@redis.internal:6379/0",
    "EMAIL_URL": f"smtp://mailer:{PW['MAIL']}@mx.internal:587",
    "CELERY_BROKER_URL": f"redis://:{PW['BROKER']}@broker.internal:6379/0",
}


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]


@pytest.mark.urls(__name__)
def test_the_debug_500_page_masks_every_url_with_a_password_and_the_broker(settings) -> None:
    settings.DEBUG = True
    for name, value in SECRETS.items():
        setattr(settings, name, value)
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"sentinel": f"redis://:{PW['OPTS']}@s:26379"}
    settings.CACHES = {**settings.CACHES, "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"redis://:{PW['CACHE']}@redis.internal:6379/0"}}
    client = Client(raise_request_exception=False)
    # runserver copies the environment into request.META: the same URLs appear there.
    response = client.get("/boom/", **{f"{k}": v for k, v in SECRETS.items()})
    assert response.status_code == 500
    body = response.content.decode()
    assert "RuntimeError" in body and "DATABASE_URL" in body  # the debug page itself
    for name, secret in PW.items():
        assert secret not in body, name
    assert "db.internal" in body, "only the password is masked in an ordinary URL"
    assert "redis://:********************@redis.internal:6379/0" in body


def test_an_anonymous_404_lists_no_url_pattern_even_with_debug_on(settings, client,
                                                                    breast_surgeon) -> None:
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "api/v1/" not in body and "URLconf" not in body and "admin/" not in body
    assert "Page not found" in body
    client.force_login(breast_surgeon)  # a developer signed in still sees Django's help
    assert "URLconf" in client.get("/no-such-page/").content.decode()
