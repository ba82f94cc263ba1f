// Lab Career Advisor chat widget: the deep-chat web component talking to Rasa's REST channel.
//
// Embed (see the README): put <div id="lab-career-advisor"></div> where the chat should go, load
// deep-chat's bundle as a module, then this script with the Rasa server's address:
//
//   <script type="module" src="/lab-career-advisor/deepChat.bundle.js"></script>
//   <script defer src="/lab-career-advisor/lab-career-advisor.js" data-server="https://bot.example.edu"></script>
//
// (data-target names another element id; without data-server, window.labCareerAdvisorConfig.server.)
//
// What it does:
// - one conversation per browser: a random sender id kept in localStorage, so a reload continues the
//   same conversation on the server, and deep-chat's browserStorage keeps the messages on screen;
// - on first open it sends /greet and shows the greeting with the topic buttons;
// - the bot's text is rendered as markdown with clickable links; quick-reply buttons are real
//   <button>s whose label is escaped here and whose payload is sent on click;
// - nothing the user or the bot writes becomes HTML: markdown is rendered with raw HTML off, links
//   to anything but http(s) and mailto are shown as plain text, and the only HTML built here (the
//   quick-reply buttons) is escaped.
(function () {
  "use strict";

  const STORAGE_PREFIX = "lab-career-advisor";
  const SENDER_KEY = `${STORAGE_PREFIX}-sender`;
  const MESSAGES_KEY = `${STORAGE_PREFIX}-messages`;
  const BUTTON_CLASS = "lca-quick-reply";
  const UNREACHABLE =
    "I can't reach the career advisor right now. Please check your connection and try again in a moment.";

  const script = document.currentScript;
  const settings = Object.assign({}, window.labCareerAdvisorConfig || {});
  if (script && script.dataset.server) settings.server = script.dataset.server;
  if (script && script.dataset.target) settings.target = script.dataset.target;
  const server = (settings.server || `${location.protocol}//${location.hostname}:5005`).replace(/\/+$/, "");
  const webhook = `${server}/webhooks/rest/webhook`;

  function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  // The bot's plain URLs become markdown links, so that they are clickable.
  function linkURLs(text) {
    return String(text).replace(/(^|[\s(])(https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"])/g, "$1[$2]($2)");
  }

  // A markdown renderer plugin (deep-chat reads window.remarkable_plugins): a link whose target is
  // not http(s) or mailto ("javascript:...", typed by anyone) is shown as its text, not as a link.
  const SAFE_LINK = /^(https?:|mailto:)/i;
  function safeLinks(md) {
    md.core.ruler.push("lca_safe_links", (state) => {
      for (const token of state.tokens) {
        if (token.type !== "inline" || !token.children) continue;
        const dropped = [];
        token.children = token.children.filter((child) => {
          if (child.type === "link_open") {
            const unsafe = !SAFE_LINK.test(String(child.href || "").trim());
            dropped.push(unsafe);
            return !unsafe;
          }
          if (child.type === "link_close") return !dropped.pop();
          return true;
        });
      }
    });
  }
  window.remarkable_plugins = (window.remarkable_plugins || []).concat([{ plugin: safeLinks }]);

  function randomId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // works on plain-http intranet pages too, unlike randomUUID
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function senderId() {
    let id = localStorage.getItem(SENDER_KEY);
    if (!id) {
      id = randomId();
      localStorage.setItem(SENDER_KEY, id);
    }
    return id;
  }

  // Rasa's reply (a list of {text, buttons}) as deep-chat messages.
  function toMessages(replies) {
    const messages = [];
    for (const reply of replies) {
      if (reply.text) messages.push({ role: "ai", text: linkURLs(reply.text) });
      if (Array.isArray(reply.buttons) && reply.buttons.length) {
        const buttons = reply.buttons
          .map((b) => `<button type="button" class="${BUTTON_CLASS}" data-payload="${escapeHTML(b.payload)}">${escapeHTML(b.title)}</button>`)
          .join("");
        messages.push({ role: "ai", html: `<div class="lca-quick-replies" role="group" aria-label="Suggested questions">${buttons}</div>` });
      }
    }
    return messages.length ? messages : [{ role: "ai", text: "Sorry, I have no answer to that. Try asking in other words." }];
  }

  async function ask(message) {
    const response = await fetch(webhook, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: senderId(), message }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return toMessages(await response.json());
  }

  // A quick reply shows its label as the student's message and sends its payload.
  let pendingPayload = null;

  async function mount() {
    const target = document.getElementById(settings.target || "lab-career-advisor");
    if (!target) return;
    // properties set before the element is defined would hide deep-chat's own setters
    await customElements.whenDefined("deep-chat");
    const chat = document.createElement("deep-chat");
    chat.setAttribute("aria-label", "Lab Career Advisor chat");
    chat.browserStorage = { key: MESSAGES_KEY, maxMessages: 200 };
    chat.remarkable = { html: false, breaks: true, typographer: false };
    chat.textInput = {
      placeholder: { text: "Ask about becoming a lab technician..." },
      characterLimit: 2000,
    };
    chat.style.display = "block";
    chat.style.height = "100%";
    chat.chatStyle = {
      width: "100%", height: "100%", borderRadius: "12px", border: "1px solid #c9d3df",
      backgroundColor: "#ffffff", fontFamily: "inherit", fontSize: "15px",
    };
    chat.messageStyles = {
      default: {
        ai: { bubble: { backgroundColor: "#eef3f8", color: "#1b2733", maxWidth: "90%" } },
        user: { bubble: { backgroundColor: "#1f5f99", color: "#ffffff" } },
      },
      html: { shared: { bubble: { backgroundColor: "transparent", padding: "0", maxWidth: "100%" } } },
    };
    chat.htmlClassUtilities = {
      [BUTTON_CLASS]: {
        events: {
          click: (event) => {
            const button = event.target.closest ? event.target.closest(`.${BUTTON_CLASS}`) : event.target;
            pendingPayload = button.getAttribute("data-payload");
            chat.submitUserMessage({ text: button.textContent });
          },
        },
        styles: {
          default: {
            margin: "3px", padding: "6px 12px", borderRadius: "16px", border: "1px solid #1f5f99",
            backgroundColor: "#ffffff", color: "#1f5f99", cursor: "pointer", fontSize: "14px",
          },
          hover: { backgroundColor: "#1f5f99", color: "#ffffff" },
        },
      },
    };
    chat.connect = {
      handler: async (body, signals) => {
        const last = (body.messages || []).slice(-1)[0] || {};
        const message = pendingPayload || last.text || "";
        pendingPayload = null;
        try {
          await signals.onResponse(await ask(message));
        } catch (error) {
          await signals.onResponse({ error: UNREACHABLE });
        }
      },
    };
    chat.errorMessages = { displayServiceErrorMessages: true };
    chat.onComponentRender = async () => {
      if (chat.dataset.greeted) return;
      chat.dataset.greeted = "yes";
      if (chat.getMessages().length) return; // a reload: the conversation is already on screen
      try {
        for (const message of await ask("/greet")) chat.addMessage(message);
      } catch (error) {
        chat.addMessage({ role: "ai", text: UNREACHABLE });
      }
    };
    target.appendChild(chat);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
