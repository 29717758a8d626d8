"""A lean HTTP/1.1 load generator for the API bench: keep-alive connections, one request at a time each.

httpx's client spends about as much CPU per request as the server it measures (1.3-1.5 ms here), and
on a 2-core machine the client's CPU is taken from the server's: it capped both apps near 750 req/s
whatever they cost. This one writes prepared bytes on an asyncio protocol (uvloop when installed) and
reads just the status line and Content-Length of each response, some tens of microseconds a request,
so the figures are the servers'. Both apps are driven by it alike.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from wire_counts import Request

_HEADER_END = b"\r\n\r\n"
TIMEOUT_SECONDS = 30


class _Connection(asyncio.Protocol):
    """One keep-alive connection; `send` writes a request and returns its status once the body is in."""

    def __init__(self) -> None:
        self.transport: Any = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # uvloop's transports are not asyncio.Transport subclasses

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("the server closed the connection"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(_HEADER_END)
        if end < 0 or self.waiter is None:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in head[1:]
                       if line[:15].lower() == "content-length:"), None)
        if length is None:
            self.waiter.set_exception(ValueError("a response without Content-Length"))
            return
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[:end + 4 + length]
        self.waiter.set_result(int(head[0].split(" ", 2)[1]))

    async def send(self, payload: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(payload)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def encode(request: Request, headers: dict[str, str], host: str) -> bytes:
    """The request as bytes on the wire."""
    body = b"" if request.body is None else json.dumps(request.body).encode("utf-8")
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}",
             *(f"{name}: {value}" for name, value in headers.items())]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def run_clients(host: str, port: int, request_of: Callable[[Any], Request], headers: dict[str, str],
                      until: float, seeds: list[int], rng_of: Callable[[int], Any],
                      on_response: Callable[[float, int], None] | None) -> None:
    """One connection per seed, each sending requests back to back until `until` (perf_counter)."""
    loop = asyncio.get_running_loop()

    async def client(seed: int) -> None:
        rng = rng_of(seed)
        _, connection = await loop.create_connection(_Connection, host, port)
        try:
            while time.perf_counter() < until:
                payload = encode(request_of(rng), headers, f"{host}:{port}")
                started = time.perf_counter()
                status = await asyncio.wait_for(connection.send(payload), TIMEOUT_SECONDS)
                if on_response is not None:
                    on_response(time.perf_counter() - started, status)
        finally:
            connection.close()
            await connection.closed

    await asyncio.gather(*(client(seed) for seed in seeds))


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when installed (less CPU per request), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
