"""Authentication: login lockout (django-axes), session expiry after inactivity, Django's password
validators, CSRF on every form and POST route, and the security headers on every kind of answer."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1",
           real_ip: str | None = None) -> object:
    headers = {"HTTP_X_REAL_IP": real_ip} if real_ip else {}
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip, **headers)


def test_repeated_failures_lock_the_login_out_then_the_cool_off_lets_it_in(client) -> None:
    user = UserFactory(username="lockme")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "lockme", "wrong-password-x").status_code == 200
    locked = _login(client, "lockme", "wrong-password-x")
    assert locked.status_code == 429 and b"Login locked" in locked.content
    # Locked: even the right password is refused, and no session is opened.
    again = _login(client, "lockme", PASSWORD)
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    # The pair is locked, not the person: the same user from another address still logs in.
    assert _login(Client(), "lockme", PASSWORD, ip="10.0.0.2").status_code == 302
    later = dt.datetime.now(dt.UTC) + settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=5)
    with time_machine.travel(later):
        ok = _login(Client(), "lockme", PASSWORD)
    assert ok.status_code == 302 and user.pk is not None


def test_behind_nginx_the_lockout_is_per_client_not_for_everyone_behind_the_proxy() -> None:
    UserFactory(username="proxied")
    nginx = "127.0.0.1"  # every request reaches gunicorn from nginx; X-Real-IP names the client
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "proxied", "wrong-password-x", ip=nginx, real_ip="198.51.100.7")
    locked = _login(Client(), "proxied", PASSWORD, ip=nginx, real_ip="198.51.100.7")
    assert locked.status_code == 429
    # A colleague at another workstation, through the same nginx, still logs in.
    colleague = _login(Client(), "proxied", PASSWORD, ip=nginx, real_ip="198.51.100.8")
    assert colleague.status_code == 302


def test_a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address() -> None:
    UserFactory(username="direct")
    for n in range(settings.AXES_FAILURE_LIMIT):  # a new X-Real-IP each try: ignored
        _login(Client(), "direct", "wrong-password-x", ip="203.0.113.9", real_ip=f"198.51.100.{n}")
    dodged = _login(Client(), "direct", PASSWORD, ip="203.0.113.9", real_ip="198.51.100.200")
    assert dodged.status_code == 429


@pytest.mark.parametrize(("peer", "header", "trusted", "expected"), [
    ("127.0.0.1", "198.51.100.7", ["127.0.0.1"], "198.51.100.7"),
    ("127.0.0.1", "not-an-address", ["127.0.0.1"], "127.0.0.1"),
    ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
    ("10.1.1.1", "198.51.100.7", ["127.0.0.1"], "10.1.1.1"),
    ("10.1.1.1", "2001:db8::1", ["*"], "2001:db8::1"),
])
def test_client_ip_believes_x_real_ip_only_from_a_trusted_proxy(
    rf, settings, peer, header, trusted, expected,
) -> None:
    from tumorboard.clientip import client_ip

    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=peer, HTTP_X_REAL_IP=header)
    assert client_ip(request) == expected


def test_a_success_before_the_limit_resets_the_failure_count(client) -> None:
    UserFactory(username="typo")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "typo", "wrong-password-x")
    assert _login(client, "typo", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "typo", "wrong-password-x").status_code == 200


def test_the_session_ends_after_inactivity_and_activity_keeps_it(client, breast_surgeon) -> None:
    assert _login(client, breast_surgeon.username, PASSWORD).status_code == 302
    home = reverse("home-breast")
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = dt.datetime.now(dt.UTC)
    # Active every (age - 60 s): still logged in well past one session age.
    for step in range(1, 4):
        with time_machine.travel(start + step * (age - dt.timedelta(seconds=60))):
            assert client.get(home).status_code == 200
    with time_machine.travel(start + 3 * (age - dt.timedelta(seconds=60)) + age
                             + dt.timedelta(seconds=5)):
        response = client.get(home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.parametrize("weak", ["short1!", "password12345", "482019374650183", "alice-surgeon"])
def test_weak_passwords_are_refused_by_djangos_validators(weak) -> None:
    user = UserFactory.build(username="alice-surgeon", first_name="Alice", last_name="Surgeon",
                             email="alice@test.example")
    with pytest.raises(ValidationError):
        validate_password(weak, user=user)


def test_a_strong_password_passes_the_validators() -> None:
    validate_password("vertebral-Quorum-pelican-42", user=UserFactory.build())
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names >= {"UserAttributeSimilarityValidator", "MinimumLengthValidator",
                     "CommonPasswordValidator", "NumericPasswordValidator"}


def test_the_admin_refuses_a_weak_password_for_a_new_user(client, admin_person) -> None:
    client.force_login(admin_person)
    before = type(admin_person).objects.count()
    response = client.post(reverse("admin:tumorboard_user_add"),
                           {"username": "newbie", "password1": "abc12345",
                            "password2": "abc12345", "usable_password": "true"})
    assert response.status_code == 200 and type(admin_person).objects.count() == before


# --- CSRF -----------------------------------------------------------------------------------


def _page_routes() -> list[tuple[str, str]]:
    """Every non-API, non-admin URL pattern with its arguments filled (CSRF is checked before the
    view runs, so any id will do)."""
    routes: list[tuple[str, str]] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("admin/", "api/")):
                    continue
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                kwargs = {k: ("x" if c.regex == "[^/]+" or "slug" in type(c).__name__.lower()
                              else 1)
                          for k, c in pattern.pattern.converters.items()}
                routes.append((namespace + pattern.name, reverse(namespace + pattern.name,
                                                                 kwargs=kwargs)))

    walk(get_resolver().url_patterns, "", "")
    # CDS Hooks is a machine interface signed by the EHR's JWT and never reads a session cookie,
    # so there is nothing for CSRF to protect (tests/integrations/test_cds_hooks.py: 401 without
    # the JWT, whoever is signed in).
    return [(name, url) for name, url in routes if not name.startswith("cds-")]


def test_every_page_route_refuses_a_post_without_the_csrf_token(admin_person, breast_surgeon):
    routes = _page_routes()
    assert len(routes) > 30
    client = Client(enforce_csrf_checks=True)
    client.force_login(breast_surgeon)
    accepted = []
    for name, url in routes:
        response = client.post(url, {"anything": "1"})
        if response.status_code != 403 or b"CSRF" not in response.content:
            accepted.append((name, response.status_code))
    assert accepted == [], f"POST without a CSRF token not refused: {accepted}"
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 403


def test_the_api_refuses_a_session_post_without_the_csrf_token(breast_surgeon) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(breast_surgeon)
    response = client.post(reverse("api-cases"), {}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_every_post_form_in_the_templates_carries_the_csrf_token() -> None:
    forms = 0
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, re.S | re.I):
            if re.search(r'method\s*=\s*"?post', match.group(0)[:200], re.I):
                forms += 1
                assert "{% csrf_token %}" in match.group(1), f"{path}: POST form without token"
    assert forms >= 10


# --- headers --------------------------------------------------------------------------------

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def test_security_headers_on_pages_api_errors_and_redirects(client, breast_surgeon) -> None:
    anonymous = [client.get(reverse("login")), client.get(reverse("home-breast")),
                 client.get("/no-such-page/")]
    client.force_login(breast_surgeon)
    answers = [*anonymous, client.get(reverse("cases:case-list")),
               client.get(reverse("api-cases")), client.get(reverse("api-case", args=[999999]))]
    for response in answers:
        for header, value in HEADERS.items():
            assert response.get(header) == value, (header, response.status_code)
        csp = response.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp


def test_hsts_is_sent_over_https_in_production(client, settings) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies_flags = (settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_HTTPONLY)
    assert all(cookies_flags) and settings.SESSION_COOKIE_SAMESITE == "Lax"
