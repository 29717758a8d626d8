"""Count what a client sends PostgreSQL: a loopback TCP relay that meters statements and round trips.

    with WireMeter("127.0.0.1", 5432) as meter:          # listens on 127.0.0.1:<meter.port>
        url = meter.url(database_url)                     # the same URL, through the relay
        ...                                               # run the client on `url`
        before = meter.snapshot()
        ...                                               # the work to measure
        print(meter.snapshot() - before)                  # Wire(statements=2, round_trips=2)

Statements are the protocol's Query ('Q', simple protocol: BEGIN, COMMIT, ...) and Execute ('E',
extended protocol: every parameterised statement) messages. A round trip is a point where the client
waits for the server: a Sync ('S', which ends an extended-protocol batch and asks for its results) or
a simple Query. Without a pipeline every statement is one; a pipelined batch is one, however many
statements it holds (psycopg's pipeline also sends Flush requests so results stream back early; the
client does not wait on those). Connection start-up is not counted (it has neither message).
The relay adds latency: count with it, time without it.
"""
from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass
from types import TracebackType

import sqlalchemy as sa

STATEMENT_MESSAGES = frozenset({b"Q", b"E"})
WAIT_MESSAGES = frozenset({b"Q", b"S"})
_NEGOTIATION_CODES = frozenset({80877103, 80877104})  # SSLRequest, GSSENCRequest: answered by one byte
_CHUNK = 65536


@dataclass(frozen=True)
class Wire:
    """Statements sent and round trips made (totals, or the difference of two snapshots)."""

    statements: int = 0
    round_trips: int = 0

    def __sub__(self, other: Wire) -> Wire:
        return Wire(self.statements - other.statements, self.round_trips - other.round_trips)


class _Conversation:
    """The client→server framing of one connection (messages may be split across reads)."""

    def __init__(self) -> None:
        self.buffer = b""
        self.started = False

    def messages(self, data: bytes) -> list[bytes]:
        """The types of the complete messages now buffered (b"" for an untyped start-up message)."""
        self.buffer += data
        found: list[bytes] = []
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    return found
                length, code = struct.unpack("!ii", self.buffer[:8])
                if len(self.buffer) < length:
                    return found
                self.buffer = self.buffer[length:]
                self.started = code not in _NEGOTIATION_CODES
                found.append(b"")
                continue
            if len(self.buffer) < 5:
                return found
            kind, length = self.buffer[:1], struct.unpack("!i", self.buffer[1:5])[0]
            if len(self.buffer) < 1 + length:
                return found
            self.buffer = self.buffer[1 + length:]
            found.append(kind)


class WireMeter:
    """A relay on 127.0.0.1 to a PostgreSQL server, counting statements and round trips of all its connections."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5432) -> None:
        self.target = (host, port)
        self._lock = threading.Lock()
        self._statements = 0
        self._round_trips = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._closing = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, name="wire-meter", daemon=True)

    def __enter__(self) -> WireMeter:
        self._acceptor.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def url(self, database_url: str) -> str:
        """`database_url` redirected through the relay (no TLS or GSS negotiation, so the bytes can be read)."""
        url = sa.make_url(database_url).set(host="127.0.0.1", port=self.port)
        url = url.update_query_dict({"sslmode": "disable", "gssencmode": "disable"})
        return url.render_as_string(hide_password=False)

    def snapshot(self) -> Wire:
        with self._lock:
            return Wire(self._statements, self._round_trips)

    def close(self) -> None:
        self._closing.set()
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._acceptor.is_alive():
            self._acceptor.join(timeout=5)
        for thread in list(self._threads):
            thread.join(timeout=5)
        for sock in sockets:
            sock.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets += [client, server]
            conversation = _Conversation()
            for source, sink, upstream in ((client, server, True), (server, client, False)):
                thread = threading.Thread(target=self._pump, args=(source, sink, upstream, conversation), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _pump(self, source: socket.socket, sink: socket.socket, upstream: bool, conversation: _Conversation) -> None:
        while True:
            try:
                data = source.recv(_CHUNK)
            except OSError:
                data = b""
            if not data:
                try:
                    sink.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            self._count(data, upstream, conversation)
            try:
                sink.sendall(data)
            except OSError:
                return

    def _count(self, data: bytes, upstream: bool, conversation: _Conversation) -> None:
        if not upstream:
            return
        with self._lock:
            kinds = conversation.messages(data)
            self._statements += sum(1 for kind in kinds if kind in STATEMENT_MESSAGES)
            self._round_trips += sum(1 for kind in kinds if kind in WAIT_MESSAGES)
