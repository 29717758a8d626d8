"""Outgoing HTTP of the channels: destinations checked (SSRF), a timeout on every call, bounded replies.

A destination must be http(s) and every address its host resolves to must be public, unless the
installation allows private networks (`JIMU_NOTIFY_ALLOW_PRIVATE_NETWORKS=1`, e.g. an intranet receiver;
the tests allow it for loopback). Redirects are never followed (one could lead inside). The check
resolves the name before the request: a name that changes its answer in between (DNS rebinding) is
not caught.
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
from urllib.parse import urlsplit

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


def check_destination(url: str, policy: NetworkPolicy, *, channel: str = "") -> None:
    """DestinationRefused unless `url` is http(s) with a host whose every address is allowed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise DestinationRefused(host=host or "?", address=url[:200])
    if policy.allow_private:
        return
    try:
        found = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise DeliveryError(channel=channel or host, reason=f"{host}: {error}") from None
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global or address.is_multicast:
            raise _refusal(host, str(address))


def post_json(url: str, body: bytes, headers: dict[str, str], policy: NetworkPolicy, *, channel: str) -> Reply:
    """POST `body` (JSON) to an allowed destination; DeliveryError when unreachable or too slow."""
    check_destination(url, policy, channel=channel)
    deadline = time.monotonic() + policy.timeout
    sent = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **headers}
    try:
        with httpx.Client(timeout=httpx.Timeout(policy.timeout), follow_redirects=False, trust_env=False,
                          verify=tls_context()) as client:
            with client.stream("POST", url, content=body, headers=sent) as response:
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
