"""A small headless-Chromium driver for tests: the DevTools protocol over a pipe.

No Python dependency: Chromium is started with ``--remote-debugging-pipe`` and
speaks JSON messages (NUL-terminated) on file descriptors 3 (commands in) and 4
(replies and events out). :class:`Browser` opens one page, records every network
request, console message, log entry and uncaught exception, evaluates
JavaScript and takes screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--font-render-hinting=none",
)
INSTALL_HINT = "apt-get install -y chromium (Debian) or set NEWSBENCH_CHROMIUM=/path/to/chrome"


def find_chromium() -> str | None:
    """Return the Chromium executable (``$NEWSBENCH_CHROMIUM`` first), or None."""
    explicit = os.environ.get("NEWSBENCH_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    """The browser failed, answered with an error, or timed out."""


class Browser:
    """One headless Chromium page driven over the DevTools protocol.

    Attributes:
        requests: Every URL the page requested (``Network.requestWillBeSent``).
        console: ``(level, text)`` of every console message, log entry and exception.
    """

    def __init__(self, executable: str, *, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._replies: dict[int, dict[str, Any]] = {}
        self._lock = threading.Condition()
        self._next_id = 0
        self._profile = tempfile.mkdtemp(prefix="newsbench-chromium-")
        # Our ends: we write commands to ``to_browser`` and read from ``from_browser``.
        child_in, self._to_browser = os.pipe()
        self._from_browser, child_out = os.pipe()

        def remap() -> None:  # in the child: put the pipe ends at fds 3 and 4
            high_in = os.dup(child_in) if child_in in (3, 4) else child_in
            high_out = os.dup(child_out) if child_out in (3, 4) else child_out
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self._process = subprocess.Popen(
            [
                executable,
                *FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=remap,
            pass_fds=(3, 4),  # kept open after remap() (close_fds runs after it)
        )
        os.close(child_in)
        os.close(child_out)
        self._stderr: list[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        threading.Thread(target=self._read, daemon=True).start()
        self._session: str | None = None
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            session=False,
        )
        self._session = attached["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    # --- the protocol --------------------------------------------------------------

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line)

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    self._replies[-1] = {"error": {"message": "the browser closed the pipe"}}
                    self._lock.notify_all()
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        self._replies[message["id"]] = message
                        self._lock.notify_all()
                else:
                    self._on_event(message)

    def _on_event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.console.append((params["type"], text))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.console.append(("exception", text))
        elif method == "Log.entryAdded":
            entry = params["entry"]
            self.console.append((entry["level"], f"{entry.get('url', '')} {entry['text']}"))
        self._events.put(message)

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = True
    ) -> dict[str, Any]:
        """Send one command and return its result.

        Raises:
            BrowserError: the browser answered with an error or did not answer in time.
        """
        with self._lock:
            self._next_id += 1
            number = self._next_id
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session and self._session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        with self._lock:
            while number not in self._replies and -1 not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserError(f"{method}: no answer in {self.timeout} s")
                self._lock.wait(left)
            reply = self._replies.pop(number, None) or self._replies[-1]
        if "error" in reply:
            stderr = b"".join(self._stderr[-20:]).decode(errors="replace")
            raise BrowserError(f"{method}: {reply['error'].get('message')}\n{stderr}")
        return reply.get("result", {})

    def wait_for(self, method: str) -> dict[str, Any]:
        """Wait for the next event ``method`` and return its parameters."""
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no {method} event in {self.timeout} s")
            try:
                event = self._events.get(timeout=left)
            except queue.Empty:
                continue
            if event.get("method") == method:
                return event.get("params", {})

    # --- page helpers -------------------------------------------------------------------

    def set_viewport(self, width: int, height: int = 900) -> None:
        """Emulate a window ``width`` x ``height`` CSS pixels wide (device scale 1)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def open(self, url: str) -> None:
        """Navigate to ``url`` and wait for the load event."""
        while not self._events.empty():
            self._events.get_nowait()
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its (JSON) value.

        Raises:
            BrowserError: the expression threw.
        """
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(
                details.get("exception", {}).get("description") or details.get("text")
            )
        return result["result"].get("value")

    def screenshot(self, path: str | Path, *, full_page: bool = False) -> Path:
        """Save a PNG screenshot of the viewport (or the whole page) and return its path."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        target = Path(path)
        target.write_bytes(base64.b64decode(data))
        return target

    def close(self) -> None:
        """Close the browser and remove its profile."""
        try:
            if self._process.poll() is None:
                with contextlib.suppress(BrowserError):
                    self.send("Browser.close", session=False)
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout=10)
        finally:
            for fd in (self._to_browser, self._from_browser):
                with contextlib.suppress(OSError):
                    os.close(fd)
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
