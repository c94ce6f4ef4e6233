"""A small fake OpenAI-compatible chat server for tests (127.0.0.1 only).

``POST /v1/chat/completions`` answers with canned replies and records every
request. A reply is chosen by, in order: a ``responder`` callable (request body ->
reply), the first ``by_marker`` key that occurs in the last user message, the
sha256 of the last user message (``by_hash``), then the next item of ``queue``.
A reply is a string (the message content), a dict (a whole JSON body) or a
:class:`Reply`. With nothing left to answer, the server returns HTTP 500.

The server binds port 0 (an ephemeral port) on 127.0.0.1, serves from a daemon
thread, and stops when its ``with`` block ends or, at the latest, after
``lifetime`` seconds.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Reply:
    """A canned reply: message content, or a bare HTTP status with a body."""

    content: str | None = None
    status: int = 200
    body: bytes | None = None
    finish_reason: str = "stop"


def user_hash(message: str) -> str:
    """Return the key ``by_hash`` uses for a user message."""
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def last_user_message(body: Mapping[str, Any]) -> str:
    """Return the content of the last user message of a chat request body."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


class FakeLLMServer:
    """A canned-answer chat-completions server, used as a context manager.

    Args:
        queue: Replies handed out in order.
        by_marker: Replies keyed by a substring of the last user message.
        by_hash: Replies keyed by :func:`user_hash` of the last user message.
        responder: A callable from the request body to a reply (or ``None`` to fall through).
        lifetime: Seconds after which the server stops by itself.
    """

    def __init__(
        self,
        queue: Iterable[str | dict[str, Any] | Reply] = (),
        *,
        by_marker: Mapping[str, str | dict[str, Any] | Reply] | None = None,
        by_hash: Mapping[str, str | dict[str, Any] | Reply] | None = None,
        responder: Callable[[dict[str, Any]], str | dict[str, Any] | Reply | None] | None = None,
        lifetime: float = 30.0,
    ) -> None:
        self.queue: deque[str | dict[str, Any] | Reply] = deque(queue)
        self.by_marker = dict(by_marker or {})
        self.by_hash = dict(by_hash or {})
        self.responder = responder
        self.lifetime = lifetime
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The ephemeral port the server listens on."""
        assert self._server is not None, "the server is not running"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The API root to configure (``http://127.0.0.1:PORT/v1``)."""
        return f"http://{HOST}:{self.port}/v1"

    def start(self) -> FakeLLMServer:
        """Bind 127.0.0.1:0 and serve in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                with fake._lock:
                    fake.requests.append(
                        {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                    )
                    reply = fake._reply(body) if self.path == "/v1/chat/completions" else None
                if self.path != "/v1/chat/completions":
                    self._send(404, b'{"error": "not found"}')
                elif reply is None:
                    self._send(500, b'{"error": "no canned reply left"}')
                elif isinstance(reply, Reply) and reply.content is None:
                    self._send(reply.status, reply.body or b"{}")
                elif isinstance(reply, dict):
                    self._send(200, json.dumps(reply).encode("utf-8"))
                else:
                    content = reply.content if isinstance(reply, Reply) else reply
                    finish = reply.finish_reason if isinstance(reply, Reply) else "stop"
                    status = reply.status if isinstance(reply, Reply) else 200
                    self._send(status, _completion(body, str(content), finish))

            def _send(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        with self._lock:
            server, self._server = self._server, None
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- replies -----------------------------------------------------------------------

    def _reply(self, body: dict[str, Any]) -> str | dict[str, Any] | Reply | None:
        if self.responder is not None:
            reply = self.responder(body)
            if reply is not None:
                return reply
        message = last_user_message(body)
        for marker, reply in self.by_marker.items():
            if marker in message:
                return reply
        key = user_hash(message)
        if key in self.by_hash:
            return self.by_hash[key]
        return self.queue.popleft() if self.queue else None

    @property
    def user_messages(self) -> list[str]:
        """The last user message of every recorded chat request, in order."""
        return [last_user_message(r["body"]) for r in self.requests]


def _completion(request: Mapping[str, Any], content: str, finish_reason: str) -> bytes:
    answer = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }
    return json.dumps(answer).encode("utf-8")
