"""The demo page's server (scripts/web_server.py) cannot be held by slow or half-sent requests, and
its error pages carry the same security headers as its pages."""

from __future__ import annotations

import select
import socket
import time
import urllib.error
import urllib.request
from typing import Iterator, List

import pytest

from tests.servers import WEB_BUNDLE, free_port, start_web

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not WEB_BUNDLE.is_file(), reason="the widget is not installed: run `make web`"),
]


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("web")
    with start_web(workdir, "http://127.0.0.1:9", free_port(), ["--idle-timeout", "1"]) as url:
        yield url


def still_open(sockets: List[socket.socket], within: float) -> int:
    """How many of `sockets` the server has neither answered nor closed within `within` seconds."""
    waiting = set(sockets)
    deadline = time.monotonic() + within
    while waiting and time.monotonic() < deadline:
        readable, _, _ = select.select(list(waiting), [], [], 0.2)
        waiting -= set(readable)  # an answer (408) or a close
    return len(waiting)


def test_half_sent_requests_are_dropped_and_the_page_is_still_served(web_url: str) -> None:
    port = int(web_url.rsplit(":", 1)[1])
    held: List[socket.socket] = []
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finished
            held.append(sock)
        assert still_open(held, within=5) == 0
        with urllib.request.urlopen(f"{web_url}/", timeout=5) as response:
            assert response.status == 200
    finally:
        for sock in held:
            sock.close()


def test_error_pages_carry_the_security_headers(web_url: str) -> None:
    port = int(web_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"BREW /pot HTTP/1.1\r\n\r\n")
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.0 501")
    assert "Content-Security-Policy: default-src 'self'" in answer and "X-Content-Type-Options: nosniff" in answer
    try:
        urllib.request.urlopen(f"{web_url}/missing", timeout=5)
    except urllib.error.HTTPError as error:
        assert error.code == 404 and "default-src 'self'" in error.headers["Content-Security-Policy"]
