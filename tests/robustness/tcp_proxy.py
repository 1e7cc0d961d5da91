"""A loopback TCP proxy to a real server that a test can start late, or freeze (a hung database)."""

from __future__ import annotations

import socket
import threading


class Proxy:
    """Forwards connections from `port` to `target`; `frozen` holds every byte, as a hung server would."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.port = port
        self.target = target
        self.frozen = threading.Event()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    def start(self) -> Proxy:
        """Start listening (until then, connections to `port` are refused)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def close(self) -> None:
        """Stop listening and drop every forwarded connection."""
        self._stop.set()
        for sock in self._sockets:
            # shutdown first: a thread blocked in recv keeps the socket open past close(), and the database
            # would then keep the session (and its locks) until a TCP timeout
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for sock in [*self._sockets, *([self._listener] if self._listener else [])]:
            try:
                sock.close()
            except OSError:
                pass

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(None)
        try:
            while not self._stop.is_set():
                data = source.recv(65536)
                if not data:
                    break
                while self.frozen.is_set() and not self._stop.is_set():
                    self._stop.wait(0.05)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
