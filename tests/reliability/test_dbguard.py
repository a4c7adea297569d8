"""tumorboard.dbguard: a database error that means "down" answers 503 with Retry-After, in the
API as JSON and on a page as HTML, wherever in the request it happens (the view, or the session
saved after it). The real outage is test_database_outage.py; these run on any database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def _down(*args: object, **kwargs: object) -> None:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def logged_in(breast_surgeon) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(breast_surgeon)
    return client


def test_an_api_view_that_loses_the_database_answers_503_json(logged_in, monkeypatch) -> None:
    monkeypatch.setattr("tumorboard.api.PingView.get", _down)
    response = logged_in.get("/api/v1/ping/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "unavailable" in response.json()["detail"]


def test_a_page_whose_session_cannot_be_saved_answers_503_html(logged_in, monkeypatch) -> None:
    # SESSION_SAVE_EVERY_REQUEST: the save runs in SessionMiddleware after the view. The row's
    # save fails, as it does while PostgreSQL starts up: Django's store would make that an
    # UpdateError and a 400 "session deleted" (seen in CI); tumorboard.sessions keeps it a 503.
    monkeypatch.setattr("django.contrib.sessions.models.Session.save", _down)
    response = logged_in.get("/home/breast/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in response.content and response["Retry-After"]


def test_a_closed_connection_is_a_503_too(logged_in, monkeypatch) -> None:
    def closed(*args: object, **kwargs: object) -> None:
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("tumorboard.api.PingView.get", closed)
    assert logged_in.get("/api/v1/ping/").status_code == 503


def test_other_database_errors_stay_500_so_that_bugs_are_seen(logged_in, monkeypatch) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise IntegrityError("a missing validation")

    monkeypatch.setattr("tumorboard.api.PingView.get", bug)
    assert logged_in.get("/api/v1/ping/").status_code == 500


def test_a_session_deleted_meanwhile_is_still_an_update_error(breast_surgeon) -> None:
    # A logout in a concurrent request deletes the row: the update hits nothing. That is not
    # an outage, so tumorboard.sessions leaves Django's UpdateError (and its 400) alone.
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.models import Session

    from tumorboard.sessions import SessionStore

    store = SessionStore()
    store["seen"] = True
    store.create()
    Session.objects.filter(session_key=store.session_key).delete()
    store["seen"] = False
    with pytest.raises(UpdateError):
        store.save()
