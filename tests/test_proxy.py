"""The README's proxy example (deploy/nginx-lab-advisor.conf) works in front of the real bot: it
hides Rasa's version page and nginx's own version, passes the chat through, and limits requests
per client address. nginx comes from Debian's packages (`make services`)."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

import pytest

from tests.servers import PROJECT_ROOT, RunningBot, background, free_port, http, texts

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
EXAMPLE = PROJECT_ROOT / "deploy" / "nginx-lab-advisor.conf"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed: run `make services`"),
]


def fetch(
    url: str, body: Optional[bytes] = None, content_type: str = "application/json"
) -> Tuple[int, str, Dict[str, str]]:
    status, raw, headers = http(url, body, {"Content-Type": content_type}, timeout=30)
    return status, raw.decode(errors="replace"), headers


@pytest.fixture(scope="module")
def proxy_url(running_bot: RunningBot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert running_bot.web_url, "the bot was started without the chat page"
    workdir = tmp_path_factory.mktemp("nginx")
    port = free_port()
    site = (
        EXAMPLE.read_text()
        .replace("server 127.0.0.1:5005;", f"server {running_bot.rasa_url.removeprefix('http://')};")
        .replace("server 127.0.0.1:8080;", f"server {running_bot.web_url.removeprefix('http://')};")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
    )
    (workdir / "site.conf").write_text(site)
    temp = {name: workdir / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (workdir / "nginx.conf").write_text(
        f"daemon off;\npid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'};\nevents {{}}\n"
        f"http {{\n  access_log off;\n"
        f"  client_body_temp_path {temp['body']}; proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']}; uwsgi_temp_path {temp['uwsgi']}; scgi_temp_path {temp['scgi']};\n"
        f"  include {workdir / 'site.conf'};\n}}\n"
    )
    with background([NGINX or "", "-p", str(workdir), "-c", str(workdir / "nginx.conf")], workdir / "nginx.log"):
        url = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{url}/webhooks/rest/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        yield url


def test_the_chat_goes_through_and_no_version_is_shown(proxy_url: str, running_bot: RunningBot) -> None:
    body = json.dumps({"sender": f"proxy-{uuid.uuid4().hex[:8]}", "message": "how much does a lab tech make?"})
    status, reply, headers = fetch(f"{proxy_url}/webhooks/rest/webhook", body.encode())
    assert status == 200 and "$61,890" in texts(json.loads(reply))
    assert headers.get("Server") == "nginx"  # no version
    assert "Hello from Rasa" in fetch(f"{running_bot.rasa_url}/")[1]  # what the proxy hides
    status, page, _ = fetch(f"{proxy_url}/")
    assert status == 200 and "Rasa" not in page and "Lab Career Advisor" in page


def test_one_address_sending_too_fast_is_slowed_down(proxy_url: str) -> None:
    def send(_: int) -> int:
        return fetch(f"{proxy_url}/webhooks/rest/webhook", b"{}", "text/plain")[0]

    with ThreadPoolExecutor(8) as pool:  # far faster than the limit, however slow the machine
        statuses = list(pool.map(send, range(200)))
    assert statuses.count(415) >= 30  # a burst the size of a class reaches the bot (and is refused there)
    assert statuses.count(429) >= 50  # the rest is turned away by the proxy
