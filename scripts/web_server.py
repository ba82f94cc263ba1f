"""Serve the demo careers page with the chat widget (web/), on loopback by default.

    python scripts/web_server.py [--host 127.0.0.1] [--port 8080] [--rasa-url http://127.0.0.1:5005]
                                 [--idle-timeout 10]

Serves a fixed set of files, never a directory listing: the page, its stylesheet, the widget
script, deep-chat's bundle from web/vendor/ (installed by `make web`, pinned by
web/package-lock.json, so nothing comes from a CDN) and `config.js`, which tells the widget where the Rasa
server is. Every response carries a Content-Security-Policy that allows scripts from this site only
and connections to this site and the Rasa server, so even a slip that let markup through could
not run a script; so do its error pages. A connection that sends nothing for --idle-timeout seconds
is closed, and at most MAX_CONNECTIONS are served at once (more are closed at once), so slow or
half-sent requests cannot hold the server's threads.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from stack.settings import current as current_settings

WEB = Path(__file__).resolve().parent.parent / "web"
DEEP_CHAT_BUNDLE = WEB / "vendor" / "deep-chat" / "deepChat.bundle.js"
FILES: Dict[str, Tuple[Path, str]] = {
    "/": (WEB / "index.html", "text/html; charset=utf-8"),
    "/index.html": (WEB / "index.html", "text/html; charset=utf-8"),
    "/demo.css": (WEB / "demo.css", "text/css; charset=utf-8"),
    "/lab-career-advisor.js": (WEB / "lab-career-advisor.js", "text/javascript; charset=utf-8"),
    "/deep-chat.js": (DEEP_CHAT_BUNDLE, "text/javascript; charset=utf-8"),
}
MAX_CONNECTIONS = 64


class BoundedThreadingHTTPServer(ThreadingHTTPServer):
    """One thread per connection, at most MAX_CONNECTIONS at once."""

    daemon_threads = True
    request_queue_size = 128  # connections waiting to be accepted (the default, 5, stalls a burst)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # full: close at once rather than queue without limit
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class WidgetHandler(BaseHTTPRequestHandler):
    server_version = "LabCareerAdvisorWeb"
    sys_version = ""

    def __init__(self, *args, rasa_url: str, idle_timeout: float, **kwargs) -> None:
        self.rasa_url = rasa_url
        self.timeout = idle_timeout  # applied to the connection's socket by StreamRequestHandler
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/config.js":
            body = f"window.labCareerAdvisorConfig = {json.dumps({'server': self.rasa_url})};\n".encode()
            content_type = "text/javascript; charset=utf-8"
        elif path in FILES and FILES[path][0].is_file():
            file, content_type = FILES[path]
            body = file.read_bytes()
        else:
            missing = path == "/deep-chat.js"
            body = b"deep-chat is not installed: run `make web`.\n" if missing else b"Not found.\n"
            self._send(404, "text/plain; charset=utf-8", body, send_body)
            return
        self._send(200, content_type, body, send_body)

    def _send(self, status: int, content_type: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def end_headers(self) -> None:
        """Every response, error pages from http.server included, carries the security headers."""
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"connect-src 'self' {self.rasa_url}; object-src 'none'; base-uri 'none'; frame-ancestors 'self'",
        )
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        line = (format % args).encode("unicode_escape").decode("ascii")  # no forged lines from a request
        sys.stderr.write(f"web: {self.address_string()} {line}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    settings = current_settings()
    parser.add_argument("--host", default=settings.web_host)
    parser.add_argument("--port", type=int, default=settings.web_port)
    parser.add_argument("--rasa-url", default=settings.rasa_public_url)
    parser.add_argument("--idle-timeout", type=float, default=10.0, help="seconds a connection may stay silent")
    args = parser.parse_args()
    if not DEEP_CHAT_BUNDLE.is_file():
        print(f"{DEEP_CHAT_BUNDLE} is missing: run `make web` first.", file=sys.stderr)
        return 1
    handler = partial(WidgetHandler, rasa_url=args.rasa_url.rstrip("/"), idle_timeout=args.idle_timeout)
    server = BoundedThreadingHTTPServer((args.host, args.port), handler)
    print(f"Chat page: http://{args.host}:{args.port}/ (Rasa server {args.rasa_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
