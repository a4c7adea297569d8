"""Where a webhook may be sent: never inside the hospital's network unless allow-listed.

A webhook URL is chosen by its client, and the worker that POSTs to it sits inside the network:
without these checks a client could make the worker call the cloud metadata service
(169.254.169.254), Redis on 127.0.0.1 or any private host, and read from the delivery log whether
it answered (server-side request forgery).

The rules, checked when a subscription is registered and again at every delivery:

* ``http`` (development, ``WEBHOOK_ALLOW_HTTP``) or ``https`` only; no ``user:password@``.
* Every address the host name resolves to must be public: loopback, link-local, private, shared
  (100.64/10), multicast, unspecified, reserved and documentation ranges are refused, in IPv4,
  IPv6 and IPv4 embedded in IPv6 (mapped ``::ffff:a.b.c.d``, NAT64, 6to4, Teredo). A name with one
  bad address among good ones is refused (a rebinding resolver answers both).
* ``WEBHOOK_ALLOWED_NETWORKS`` (CIDRs) lets a hospital's own integration engine on a private
  network through, and nothing else.

At delivery the name is resolved once, the addresses checked, and the socket connected to the
checked address itself (``pinned_connection``): a second lookup that answers differently (DNS
rebinding) is never made. TLS still verifies the certificate against the host name.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes that carry an IPv4 address in their last 32 bits (RFC 6052 NAT64).
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


class DestinationRefused(Exception):
    """The URL or one of its addresses may not receive webhooks; the message says why (no
    address is echoed: it goes to the client's delivery log and API answers)."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(cidr, strict=False)
            for cidr in settings.WEBHOOK_ALLOWED_NETWORKS]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: IPAddress) -> str | None:
    """Why the address is not public, or None when it is."""
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        # 100.64/10 (carrier-grade NAT) and the other special ranges that are neither private
        # nor public in Python's table.
        ("not globally routable", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def address_refusal(address: IPAddress) -> str | None:
    """Why webhooks may not go to this address, or None when they may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            address_ = embedded
            # ::ffff:127.0.0.1 is 127.0.0.1 to the kernel: judge (and allow-list) the IPv4.
            if any(address_ in net for net in allowed_networks()):
                return None
            reason = _kind(address_)
            if reason is not None:
                return f"{reason} address (IPv4 inside IPv6)"
    if any(address in net for net in allowed_networks()):
        return None
    reason = _kind(address)
    return f"{reason} address" if reason else None


def parse(url: str) -> tuple[SplitResult, Destination]:
    """The URL's parts, or DestinationRefused for a scheme, credentials or host not allowed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationRefused("not a valid URL") from None
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if scheme not in allowed:
        raise DestinationRefused("must be an https:// URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise DestinationRefused("must not carry a user name or password")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise DestinationRefused("must name a host")
    if host == "localhost" or host.endswith(".localhost"):
        raise DestinationRefused("loopback address")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts, Destination(scheme=scheme, host=host,
                              port=port or (443 if scheme == "https" else 80), path=path)


def _literal(host: str) -> IPAddress | None:
    """The address written in the URL, or None for a name. Other forms the resolver reads as
    an IPv4 address (2130706433, 0x7f.1, 127.1) go through the resolver like a name, so that
    the check sees the address the socket would use."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(destination: Destination) -> list[IPAddress]:
    """The host's addresses, each checked; DestinationRefused when any is refused or none."""
    literal = _literal(destination.host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = socket.getaddrinfo(destination.host, destination.port,
                                       type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise DestinationRefused("host name does not resolve") from None
        addresses = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise DestinationRefused("host name does not resolve")
    for address in addresses:
        reason = address_refusal(address)
        if reason is not None:
            raise DestinationRefused(f"refused destination: {reason}")
    return addresses


def check_registration(url: str) -> None:
    """At registration: the URL's form, and its addresses when the name resolves now.

    A name that does not resolve yet is accepted (an engine registered before its DNS entry);
    every delivery resolves and checks it again.
    """
    _, destination = parse(url)
    try:
        resolve(destination)
    except DestinationRefused as refusal:
        if str(refusal) != "host name does not resolve" or _literal(destination.host):
            raise


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a checked address, whatever the host name would resolve to now."""

    def __init__(self, host: str, port: int, *, address: IPAddress, connect_timeout: float,
                 read_timeout: float) -> None:
        super().__init__(host, port, timeout=read_timeout)
        self.pinned, self.connect_timeout, self.read_timeout = address, connect_timeout, \
            read_timeout

    def _open_socket(self) -> socket.socket:
        sock = socket.create_connection((str(self.pinned), self.port), self.connect_timeout)
        sock.settimeout(self.read_timeout)
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def __init__(self, host: str, port: int, **kwargs: object) -> None:
        super().__init__(host, port, **kwargs)  # type: ignore[arg-type]
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        # The certificate is checked against the host name of the URL, not the address.
        self.sock = self.tls.wrap_socket(self._open_socket(), server_hostname=self.host)


def pinned_connection(url: str, *, connect_timeout: float,
                      read_timeout: float) -> tuple[http.client.HTTPConnection, Destination]:
    """A connection to the URL's first checked address, and the request's path.

    Raises DestinationRefused when the URL or any of its addresses is not allowed.
    """
    _, destination = parse(url)
    address = resolve(destination)[0]
    cls = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    return cls(destination.host, destination.port, address=address,
               connect_timeout=connect_timeout, read_timeout=read_timeout), destination
