"""Webhooks never reach inside the network (server-side request forgery): destinations are
checked at registration and at every delivery, on the address the socket connects to; redirects
are not followed; only integration clients register; a per-client cap."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations import destinations, webhooks
from integrations.models import WebhookDelivery, WebhookSubscription
from tests.api.conftest import token_client
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.django_db

EVENTS = ["referral.state_changed"]

REFUSED = [
    "https://127.0.0.1/hook", "https://127.9.9.9:8443/hook", "https://localhost/hook",
    "https://api.localhost/hook", "https://[::1]/hook", "https://169.254.169.254/latest/",
    "https://10.1.2.3/hook", "https://172.16.0.1/hook", "https://192.168.1.1/hook",
    "https://100.64.0.1/hook", "https://[fc00::1]/hook", "https://[fd12:3456::1]/hook",
    "https://[fe80::1]/hook", "https://0.0.0.0/hook", "https://[::]/hook",
    "https://[::ffff:127.0.0.1]/hook", "https://[::ffff:169.254.169.254]/hook",
    "https://[::ffff:a9fe:a9fe]/hook", "https://[64:ff9b::10.0.0.1]/hook",
    "https://[2002:7f00:1::]/hook", "https://224.0.0.1/hook", "https://[ff02::1]/hook",
    "https://240.0.0.1/hook", "https://255.255.255.255/hook", "https://192.0.2.10/hook",
    "https://2130706433/hook", "https://0x7f.1/hook", "https://127.1/hook",
    "https://user:secret@his.example/hook", "https://token@his.example/hook",
    "ftp://his.example/hook", "file:///etc/passwd", "gopher://127.0.0.1/",
]


def _register(raw: str, url: str) -> Any:
    return token_client(raw).post(reverse("api-webhooks"), {"url": url, "events": EVENTS},
                                  format="json")


@pytest.mark.parametrize("url", REFUSED)
def test_registration_refuses_a_destination_inside_the_network(his, url: str) -> None:
    response = _register(his.raw, url)
    assert response.status_code == 400, (url, response.content)
    assert set(response.json()) == {"url"}
    # The answer says why, without echoing the address back.
    host = url.split("//", 1)[1].split("/", 1)[0].split("@")[-1].strip("[]")
    if host:
        assert host not in response.content.decode()
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", ["https://93.184.216.34/hook", "https://[2606:4700::1111]/h",
                                 "https://hooks.his.example/hook"])
def test_registration_accepts_a_public_address_or_a_name_not_resolved_yet(his, url) -> None:
    assert _register(his.raw, url).status_code == 201


def test_the_allow_list_lets_the_hospitals_own_engine_through_and_nothing_else(
        his, settings) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/24", "fd00:20::/64"]
    assert _register(his.raw, "https://10.20.0.7/hook").status_code == 201
    assert _register(his.raw, "https://[fd00:20::7]/hook").status_code == 201
    assert _register(his.raw, "https://[::ffff:10.20.0.8]/hook").status_code == 201
    for url in ("https://10.20.1.7/hook", "https://127.0.0.1/hook", "https://[fd00:21::1]/h"):
        assert _register(his.raw, url).status_code == 400, url


def test_an_address_check_covers_every_special_range() -> None:
    internal = ("127.0.0.1", "::1", "169.254.1.1", "fe80::1", "10.0.0.1", "172.31.255.255",
                "192.168.0.1", "100.64.0.1", "100.127.255.255", "fc00::1", "224.0.0.1",
                "ff02::1", "0.0.0.0", "::", "240.0.0.1", "::ffff:10.0.0.1",  # noqa: S104
                "198.18.0.1", "2001:db8::1", "64:ff9b::7f00:1", "2002:a00:1::", "fec0::1")
    for text in internal:
        assert destinations.address_refusal(ipaddress.ip_address(text)), text
    for text in ("93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"):
        assert destinations.address_refusal(ipaddress.ip_address(text)) is None, text


def test_a_name_resolving_to_one_internal_address_among_public_ones_is_refused(
        his, monkeypatch) -> None:
    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    assert _register(his.raw, "https://hooks.his.example/hook").status_code == 400


@pytest.mark.parametrize("persona", ["breast_surgeon", "neurosurgeon", "coordinator",
                                     "admin_person"])
def test_only_integration_clients_register_webhooks(client, persona, request) -> None:
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.post(reverse("api-webhooks"),
                           {"url": "https://93.184.216.34/hook", "events": EVENTS},
                           content_type="application/json")
    assert response.status_code == 403
    assert not WebhookSubscription.objects.exists()


def test_an_administrator_adds_one_for_a_client_in_the_admin_with_the_same_rules(
        client, admin_person, his) -> None:
    client.force_login(admin_person)
    add = reverse("admin:integrations_webhooksubscription_add")
    form = {"owner": his.user.pk, "url": "https://127.0.0.1/hook",
            "events": '["referral.state_changed"]', "active": "on"}
    response = client.post(add, form)
    assert response.status_code == 200 and not WebhookSubscription.objects.exists()
    response = client.post(add, {**form, "url": "https://93.184.216.34/hook"})
    assert response.status_code == 302
    row = WebhookSubscription.objects.get()
    assert row.owner == his.user and row.secret.startswith("whsec_")


def test_a_client_holds_at_most_the_configured_number_of_subscriptions(his, settings) -> None:
    settings.WEBHOOK_MAX_SUBSCRIPTIONS_PER_CLIENT = 2
    for _ in range(2):
        assert _register(his.raw, "https://93.184.216.34/hook").status_code == 201
    refused = _register(his.raw, "https://93.184.216.34/hook")
    assert refused.status_code == 400 and "at most 2" in refused.json()["non_field_errors"][0]
    assert WebhookSubscription.objects.count() == 2


def _due(sub: WebhookSubscription) -> WebhookDelivery:
    return WebhookDelivery.objects.create(subscription=sub, event=EVENTS[0], payload={"x": 1},
                                          next_attempt_at=timezone.now())


def test_delivery_checks_the_address_again_and_connects_to_the_one_checked(
        his, monkeypatch) -> None:
    """Registered while the name did not resolve; at delivery it resolves to loopback (a
    rebinding DNS): refused, nothing sent. Allow-listed, the socket goes to the address that
    was checked, and the name is looked up once per attempt (no second lookup to rebind)."""
    with Receiver([200]) as receiver:
        port = receiver.server.server_address[1]
        url = f"http://hooks.his.example:{port}/hook"
        assert _register(his.raw, url).status_code == 201
        sub = WebhookSubscription.objects.get()
        lookups: list[str] = []

        def dns(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

        monkeypatch.setattr(socket, "getaddrinfo", dns)
        row = _due(sub)
        assert webhooks.delivery_attempt(delivery_id=row.pk) == "pending"
        row.refresh_from_db()
        assert row.status_codes == [0] and "loopback" in row.last_error
        assert receiver.received == []

        from django.conf import settings
        monkeypatch.setattr(settings, "WEBHOOK_ALLOWED_NETWORKS", ["127.0.0.1/32"])
        lookups.clear()
        row = _due(sub)
        assert webhooks.delivery_attempt(delivery_id=row.pk) == "delivered"
        # The name once; then only the checked address itself (create_connection's literal).
        assert lookups == ["hooks.his.example", "127.0.0.1"]
        assert receiver.received[0]["headers"]["Host"] == f"hooks.his.example:{port}"


def test_a_stored_internal_url_is_refused_at_delivery(his) -> None:
    """Rows written before these checks (or by SQL) are checked at delivery too."""
    with Receiver([200]) as receiver:
        port = receiver.server.server_address[1]
        for host in ("127.0.0.1", "[::ffff:127.0.0.1]", "localhost", "2130706433"):
            sub = WebhookSubscription.objects.create(
                owner=his.user, url=f"http://{host}:{port}/hook", events=EVENTS,
                secret="s" * 64)
            row = _due(sub)
            assert webhooks.delivery_attempt(delivery_id=row.pk) == "pending", host
        assert receiver.received == []


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(his, loopback_allowed) -> None:
    with Receiver([200]) as inside, \
            Receiver([302], headers={"Location": inside.url}) as bouncer:
        sub = WebhookSubscription.objects.create(owner=his.user, url=bouncer.url,
                                                 events=EVENTS, secret="s" * 64)
        row = _due(sub)
        assert webhooks.delivery_attempt(delivery_id=row.pk) == "pending"
        row.refresh_from_db()
        assert row.status_codes == [302] and "redirect" in row.last_error
        assert len(bouncer.received) == 1 and inside.received == []
