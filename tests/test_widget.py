"""The website chat widget (web/), in a real browser: Playwright drives Debian's headless Chromium
against the page, the Rasa server and the action server as `make run` starts them.

Screenshots at desktop and phone width go to results/widget-*.png. Skipped, saying why, where
Chromium is not installed (`make browser` installs it) or the widget is not (`make web`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator, List

import pytest

from tests.servers import PROJECT_ROOT, WEB_BUNDLE, RunningBot

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_ROOT / "web" / "vendor" / "axe-core" / "axe.min.js"  # pinned by web/package-lock.json
RESULTS = PROJECT_ROOT / "results"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Chromium as root in a container, and no calls home (this machine's network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER_TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: run `make browser`"),
    pytest.mark.skipif(not WEB_BUNDLE.exists(), reason="the widget's chat component is missing: run `make web`"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ChatPage:
    """The demo page in a fresh browser profile (its own localStorage, so its own conversation)."""

    def __init__(self, browser: sync_api.Browser, url: str, viewport: dict, bypass_csp: bool = False) -> None:
        # bypass_csp: only to inject the accessibility checker, which the page itself never loads
        self.context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url)
        self.wait_for_button("Salary")  # the greeting's topic buttons

    @property
    def input(self) -> sync_api.Locator:
        return self.page.locator("deep-chat #text-input")

    def ask(self, text: str) -> None:
        """Type a message, send it with Enter, and wait for the bot's reply to show (deep-chat takes
        no new message while one is on its way)."""
        self.input.click()
        self.page.keyboard.type(text)
        self.send_and_wait(lambda: self.page.keyboard.press("Enter"))

    def send_and_wait(self, send: Callable[[], None]) -> None:
        before = self.page.locator("deep-chat .message-bubble").count()
        send()
        self.page.wait_for_function(
            "n => document.querySelector('deep-chat').shadowRoot.querySelectorAll('.message-bubble').length >= n"
            " && !document.querySelector('deep-chat').shadowRoot.querySelector('.loading-message-dots')",
            arg=before + 2,  # the student's bubble and at least one reply
            timeout=ANSWER_TIMEOUT_MS,
        )

    def wait_for_text(self, text: str) -> sync_api.Locator:
        found = self.page.locator("deep-chat .message-bubble").filter(has_text=text).last
        found.wait_for(timeout=ANSWER_TIMEOUT_MS)
        return found

    def wait_for_button(self, name: str) -> sync_api.Locator:
        button = self.page.get_by_role("button", name=name, exact=True).last
        button.wait_for(timeout=ANSWER_TIMEOUT_MS)
        return button

    def bubbles(self) -> List[str]:
        return self.page.locator("deep-chat .message-bubble").all_inner_texts()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def chat(browser: sync_api.Browser, running_bot: RunningBot) -> Iterator[ChatPage]:
    assert running_bot.web_url, "the bot was started without the chat page"
    page = ChatPage(browser, running_bot.web_url, DESKTOP)
    yield page
    assert not page.errors, page.errors
    page.close()


def test_the_page_greets_with_topics_and_answers_a_salary_question(chat: ChatPage) -> None:
    assert "Lab Career Advisor" in chat.bubbles()[0]
    chat.ask("how much does a lab tech make?")
    answer = chat.wait_for_text("$61,890")
    assert "May 2024" in answer.inner_text() and "Sources:" in answer.inner_text()


def test_a_quick_reply_sends_its_payload_and_shows_the_answer(chat: ChatPage) -> None:
    chat.send_and_wait(chat.wait_for_button("Education").click)
    chat.wait_for_text("associate degree")
    # the student's bubble shows the button's label, not the /ask_education payload
    assert "Education" in chat.bubbles() and not any("/ask_" in b for b in chat.bubbles())


def test_a_reload_keeps_the_conversation_on_screen_and_on_the_server(chat: ChatPage) -> None:
    chat.ask("what does a phlebotomist do?")
    chat.wait_for_text("draw blood")
    chat.page.reload()
    chat.wait_for_text("draw blood")  # the history is back
    assert sum("Lab Career Advisor" in b for b in chat.bubbles()) == 1  # and not greeted twice
    chat.ask("how much do they make?")  # "they": the server still knows we talk about phlebotomists
    chat.wait_for_text("$41,810")


def test_typed_html_and_script_links_stay_text(chat: ChatPage) -> None:
    chat.ask("<img src=x onerror=alert(1)>")
    chat.wait_for_text("<img src=x onerror=alert(1)>")
    chat.ask("[click me](javascript:alert(2))")
    chat.wait_for_text("click me")
    chat.page.wait_for_timeout(500)
    assert chat.page.locator("deep-chat .message-bubble img").count() == 0
    hrefs = chat.page.locator("deep-chat .message-bubble a").evaluate_all("links => links.map(a => a.href)")
    assert not [h for h in hrefs if not h.startswith("http")], hrefs
    assert chat.dialogs == []


def test_links_in_answers_are_clickable(chat: ChatPage) -> None:
    chat.ask("how much does a dentist make")
    answer = chat.wait_for_text("outside what I know")
    link = answer.locator("a", has_text="https://www.bls.gov/ooh/")
    assert link.get_attribute("href") == "https://www.bls.gov/ooh/"
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener noreferrer"
    # a screen reader hears that it opens a new tab; on screen the note takes no room
    assert link.text_content() == "https://www.bls.gov/ooh/ (opens in a new tab)"
    note = link.locator("span", has_text="(opens in a new tab)")
    assert note.evaluate("e => e.getBoundingClientRect().width * e.getBoundingClientRect().height") <= 1


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is missing: run `make web`")
def test_the_page_passes_an_accessibility_audit_at_desktop_and_phone_width(
    browser: sync_api.Browser, running_bot: RunningBot
) -> None:
    """axe-core (WCAG 2.x A and AA rules and best practices) on the served page, after a question
    and its answer (with links and buttons), at both widths: no violations of any impact."""
    for viewport in (DESKTOP, PHONE):
        page = ChatPage(browser, running_bot.web_url or "", viewport, bypass_csp=True)
        page.ask("how much does a lab tech make?")
        page.wait_for_text("$61,890")
        page.page.add_script_tag(path=str(AXE))
        violations = page.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target)}))"
        )
        page.close()
        assert violations == [], (viewport, violations)


def test_usable_by_keyboard_alone_with_labels_for_screen_readers(chat: ChatPage) -> None:
    assert chat.page.locator("deep-chat").get_attribute("aria-label") == "Lab Career Advisor chat"
    assert chat.page.get_by_role("group", name="Suggested questions").first.is_visible()
    # Tab from the page into the chat until a quick reply has the focus, then press Enter on it
    for _ in range(40):
        chat.page.keyboard.press("Tab")
        focused = chat.page.evaluate(
            "() => { let e = document.activeElement; while (e && e.shadowRoot && e.shadowRoot.activeElement)"
            " e = e.shadowRoot.activeElement; return e ? e.textContent : null; }"
        )
        if focused == "What they do":
            break
    else:
        pytest.fail("no quick reply could be reached with the Tab key")
    chat.send_and_wait(lambda: chat.page.keyboard.press("Enter"))
    chat.wait_for_text("body fluids")
    # the message box takes typing and Enter
    chat.input.focus()
    chat.page.keyboard.type("how much do they make in canada")
    chat.send_and_wait(lambda: chat.page.keyboard.press("Enter"))
    chat.wait_for_text("in Canada")


def test_screenshots_at_desktop_and_phone_width(browser: sync_api.Browser, running_bot: RunningBot) -> None:
    RESULTS.mkdir(exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = ChatPage(browser, running_bot.web_url or "", viewport)
        page.ask("how much does a lab tech make?")
        page.wait_for_text("$61,890")
        box = page.page.locator("deep-chat").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
        page.page.screenshot(path=str(RESULTS / f"widget-{name}.png"))
        page.close()
    assert (RESULTS / "widget-desktop.png").stat().st_size > 0 and (RESULTS / "widget-phone.png").stat().st_size > 0


def preflight(url: str, origin: str) -> dict:
    request = urllib.request.Request(
        url,
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return dict(response.headers)
    except urllib.error.HTTPError as error:
        return dict(error.headers)


def test_the_rasa_server_accepts_browser_calls_from_the_page_origin_only(running_bot: RunningBot) -> None:
    webhook = f"{running_bot.rasa_url}/webhooks/rest/webhook"
    allowed = preflight(webhook, running_bot.web_url or "")
    assert allowed.get("Access-Control-Allow-Origin") == running_bot.web_url
    refused = preflight(webhook, "http://evil.example")
    assert "Access-Control-Allow-Origin" not in refused


def test_the_http_api_is_not_enabled(running_bot: RunningBot) -> None:
    for path in ("/conversations/student-1/tracker", "/model/parse", "/status"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{running_bot.rasa_url}{path}", timeout=10)
        assert refused.value.code in (404, 405), path


def test_the_page_serves_only_its_files_with_a_content_security_policy(running_bot: RunningBot) -> None:
    with urllib.request.urlopen(f"{running_bot.web_url}/config.js", timeout=10) as response:
        assert json.dumps(running_bot.rasa_url) in response.read().decode()
        policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and f"connect-src 'self' {running_bot.rasa_url}" in policy
    for path in ("/../README.md", "/scripts/web_server.py", "/vendor/deep-chat/LICENSE", "/web/"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{running_bot.web_url}{path}", timeout=10)
        assert missing.value.code == 404, path


def stored_conversation(chat: ChatPage) -> dict:
    return json.loads(chat.page.evaluate("() => localStorage.getItem('lab-career-advisor-conversation') || 'null'"))


def test_the_browser_keeps_only_the_redacted_message(chat: ChatPage) -> None:
    chat.ask("call me at 555-123-4567, how much does a lab tech make?")
    chat.wait_for_text("$61,890")
    chat.wait_for_text("call me at [phone], how much")  # on screen too
    kept = json.dumps(stored_conversation(chat))
    assert "[phone]" in kept and "555-123-4567" not in kept
    assert "555-123-4567" not in " ".join(chat.bubbles())


def test_a_stale_conversation_is_forgotten_on_the_next_visit(chat: ChatPage) -> None:
    chat.ask("what does a phlebotomist do?")
    chat.wait_for_text("draw blood")
    sender = stored_conversation(chat)["sender"]
    chat.page.evaluate(
        "() => { const k = 'lab-career-advisor-conversation'; const c = JSON.parse(localStorage.getItem(k));"
        " c.expires = Date.now() - 1000; localStorage.setItem(k, JSON.stringify(c)); }"
    )
    chat.page.reload()
    chat.wait_for_button("Salary")
    assert not any("draw blood" in b for b in chat.bubbles())
    assert stored_conversation(chat)["sender"] != sender


def test_new_conversation_forgets_this_one_in_the_browser(chat: ChatPage) -> None:
    chat.ask("what does a phlebotomist do?")
    chat.wait_for_text("draw blood")
    sender = stored_conversation(chat)["sender"]
    chat.page.get_by_role("button", name="New conversation").click()
    chat.wait_for_button("Salary")
    chat.page.wait_for_timeout(300)
    assert not any("draw blood" in b for b in chat.bubbles())
    kept = stored_conversation(chat)
    assert kept["sender"] != sender and "draw blood" not in json.dumps(kept)
    chat.ask("how much do they make?")  # a new conversation: no career carried over from the old one
    assert not chat.page.locator("deep-chat .message-bubble").filter(has_text="$41,810").count()


def test_nothing_is_loaded_from_a_third_party(browser: sync_api.Browser, running_bot: RunningBot) -> None:
    page = ChatPage(browser, running_bot.web_url or "", DESKTOP)
    hosts: List[str] = []
    page.page.on("request", lambda request: hosts.append(request.url.split("/")[2]))
    page.page.reload()
    page.wait_for_button("Salary")
    page.ask("how much does a lab tech make?")
    page.wait_for_text("$61,890")
    assert hosts and all(host.startswith("127.0.0.1:") for host in hosts), hosts
    assert page.page.locator("head link[href*='googleapis']").count() == 0  # blocked here by CSP, not asked for
    page.close()


def fake_reply(chat: ChatPage, rasa_url: str, status: int, body: object) -> None:
    """Answer the page's next webhook calls with `body` instead of the Rasa server."""
    origin = chat.page.url.rstrip("/").rsplit("/", 1)[0] if chat.page.url.count("/") > 3 else chat.page.url
    cors = {
        "Access-Control-Allow-Origin": origin.rstrip("/"),
        "Access-Control-Allow-Headers": "content-type",
        "Access-Control-Allow-Methods": "POST",
    }

    def handle(route: sync_api.Route) -> None:
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=cors)
        else:
            route.fulfill(status=status, headers=cors, content_type="application/json", body=json.dumps(body))

    chat.page.route(f"{rasa_url}/webhooks/rest/webhook", handle)


def test_images_in_a_reply_are_shown_as_text_and_never_loaded(chat: ChatPage, running_bot: RunningBot) -> None:
    fake_reply(chat, running_bot.rasa_url, 200, [{"text": "look ![tracking pixel](http://127.0.0.1:9/pixel.png) here"}])
    chat.ask("hello")
    bubble = chat.wait_for_text("tracking pixel")
    assert bubble.locator("img").count() == 0


def test_a_refusal_from_the_server_is_shown_to_the_student(chat: ChatPage, running_bot: RunningBot) -> None:
    error = "You're sending messages faster than I can answer. Please wait 12 s and try again."
    fake_reply(chat, running_bot.rasa_url, 429, {"error": error})
    chat.ask("hello again")
    chat.wait_for_text("Please wait 12 s")
