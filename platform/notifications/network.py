"""Outgoing HTTP of the channels: destinations checked (SSRF), a timeout on every call, bounded replies.

A destination must be http(s) and every address its host resolves to must be public, unless the
installation allows private networks (`JIMU_NOTIFY_ALLOW_PRIVATE_NETWORKS=1`, e.g. an intranet receiver;
the tests allow it for loopback). Redirects are never followed (one could lead inside). The name is
resolved once, every address it gives is checked, and the request goes to the first of them — the URL's
host replaced by that address, the name kept in `Host` and as the TLS server name, so the certificate is
still verified against it: a name that changes its answer after the check (DNS rebinding) cannot send the
request anywhere else.
"""
from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx

from jimu.platform.notifications.errors import DeliveryError, DestinationRefused
from jimu.platform.settings import Settings

MAX_REPLY_BYTES = 64 * 1024
RETRYABLE_STATUS = frozenset({408, 425, 429})
USER_AGENT = "Jimu-Notifications/1"


@cache
def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, loaded once per process (loading them takes ~0.1 s); never
    changed after it is made, so every call and thread shares it."""
    return ssl.create_default_context()


@dataclass(frozen=True)
class NetworkPolicy:
    timeout: float = 10.0  # seconds, for the whole call (connect, send, reply)
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> NetworkPolicy:
        return cls(timeout=settings.notify_timeout, allow_private=settings.notify_allow_private_networks)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        """The reply as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def _refusal(host: str, address: str) -> DestinationRefused:
    return DestinationRefused(host=host, address=address)


@dataclass(frozen=True)
class Destination:
    """Where a request goes: `url` with its host pinned to a checked address, and what to send beside it."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, Any]


def check_destination(url: str, policy: NetworkPolicy, *, channel: str = "") -> Destination:
    """The pinned destination of `url`; DestinationRefused unless it is http(s) with a host whose every
    address is allowed (with `allow_private`, any host, not pinned)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise DestinationRefused(host=host or "?", address=url[:200])
    if policy.allow_private:
        return Destination(url, {}, {})
    return _pinned(parts, _checked_addresses(parts, host, channel))


def _pinned(parts: SplitResult, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Destination:
    host = parts.hostname or ""
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    pinned = parts._replace(netloc=netloc).geturl()
    named = host if parts.port is None else f"{host}:{parts.port}"
    host_header = f"[{named}]" if ":" in host else named
    return Destination(pinned, {"Host": host_header}, {"sni_hostname": host} if parts.scheme == "https" else {})


def _checked_addresses(parts: SplitResult, host: str,
                       channel: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The first address `host` resolves to, once every one of them was found public."""
    try:
        found = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise DeliveryError(channel=channel or host, reason=f"{host}: {error}") from None
    addresses = [ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]) for *_, sockaddr in found]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global or address.is_multicast:
            raise _refusal(host, str(address))
    if not addresses:
        raise DeliveryError(channel=channel or host, reason=f"{host}: no address")
    return addresses[0]


def post_json(url: str, body: bytes, headers: dict[str, str], policy: NetworkPolicy, *, channel: str) -> Reply:
    """POST `body` (JSON) to an allowed destination; DeliveryError when unreachable or too slow."""
    destination = check_destination(url, policy, channel=channel)
    deadline = time.monotonic() + policy.timeout
    sent = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **headers,
            **destination.headers}
    try:
        with httpx.Client(timeout=httpx.Timeout(policy.timeout), follow_redirects=False, trust_env=False,
                          verify=tls_context()) as client:
            with client.stream("POST", destination.url, content=body, headers=sent,
                               extensions=destination.extensions) as response:
                return Reply(response.status_code, _read_bounded(response, deadline, policy.timeout))
    except httpx.HTTPError as error:
        host = urlsplit(url).hostname or ""
        raise DeliveryError(channel=channel, reason=f"{host}: {type(error).__name__} {error}") from None


def _read_bounded(response: httpx.Response, deadline: float, timeout: float) -> bytes:
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= MAX_REPLY_BYTES:
            break
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout(f"no complete reply within {timeout} s")
    return bytes(data[:MAX_REPLY_BYTES])


def status_failure(channel: str, reply: Reply) -> DeliveryError | None:
    """The failure an HTTP status means (retryable: 408, 425, 429 and 5xx), None for 2xx."""
    if 200 <= reply.status < 300:
        return None
    retryable = reply.status in RETRYABLE_STATUS or reply.status >= 500
    snippet = reply.body[:200].decode("utf-8", "replace")
    return DeliveryError(channel=channel, reason=f"HTTP {reply.status} {snippet}".strip(), retryable=retryable)
