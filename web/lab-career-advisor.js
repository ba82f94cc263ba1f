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
// - one conversation per browser tab set: a random sender id and the messages kept in localStorage,
//   so a reload continues the same conversation. What is kept is what the server stored: personal
//   details the student typed are replaced there by the server's redacted text ([email], [phone]),
//   on screen too. It expires EXPIRE_MINUTES after the last message (data-expire-minutes), and the
//   "New conversation" button forgets it at once (a shared lab computer shows the next student
//   nothing of the last one's chat);
// - on first open it sends /greet and shows the greeting with the topic buttons;
// - the bot's text is rendered as markdown with clickable links; quick-reply buttons are real
//   <button>s whose label is escaped here and whose payload is sent on click;
// - nothing the user or the bot writes becomes HTML: markdown is rendered with raw HTML off, links
//   to anything but http(s) and mailto are shown as plain text, images are shown as their alt text,
//   and the only HTML built here (the quick-reply buttons) is escaped;
// - links open in a new tab (rel="noopener"), and say so to screen readers; the send button has a
//   name screen readers announce ("Send message"; deep-chat's own has none);
// - a refusal from the server (too long, too fast) is shown as its message;
// - nothing is loaded from a third party (deep-chat fetches a Google font unless the element's own
//   font is set, so it is set to inherit the page's).
(function () {
  "use strict";

  const STORAGE_KEY = "lab-career-advisor-conversation";
  const OLD_KEYS = ["lab-career-advisor-sender", "lab-career-advisor-messages"]; // versions before expiry
  const MAX_KEPT_MESSAGES = 100;
  const BUTTON_CLASS = "lca-quick-reply";
  const UNREACHABLE =
    "I can't reach the career advisor right now. Please check your connection and try again in a moment.";

  const script = document.currentScript;
  const settings = Object.assign({}, window.labCareerAdvisorConfig || {});
  if (script && script.dataset.server) settings.server = script.dataset.server;
  if (script && script.dataset.target) settings.target = script.dataset.target;
  if (script && script.dataset.expireMinutes) settings.expireMinutes = Number(script.dataset.expireMinutes);
  const EXPIRE_MINUTES = settings.expireMinutes > 0 ? settings.expireMinutes : 30;
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

  // A markdown renderer plugin: an image written in markdown is shown as its alt text, never loaded.
  function noImages(md) {
    md.core.ruler.push("lca_no_images", (state) => {
      for (const token of state.tokens) {
        if (token.type !== "inline" || !token.children) continue;
        token.children = token.children.map((child) =>
          child.type === "image" ? { type: "text", content: child.alt || "", level: child.level } : child,
        );
      }
    });
  }
  window.remarkable_plugins = window.remarkable_plugins.concat([{ plugin: noImages }]);

  // A markdown renderer plugin: every link opens in a new tab without giving it this page
  // (rel="noopener noreferrer"), and says so to screen readers in text only they read.
  const VISUALLY_HIDDEN =
    "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0";
  const NEW_TAB_NOTE = " (opens in a new tab)";
  function announceNewTab(md) {
    const open = md.renderer.rules.link_open;
    md.renderer.rules.link_open = (...args) => open(...args).replace(/^<a /, '<a rel="noopener noreferrer" ');
    md.renderer.rules.link_close = () => `<span style="${VISUALLY_HIDDEN}">${NEW_TAB_NOTE}</span></a>`;
  }
  window.remarkable_plugins = window.remarkable_plugins.concat([{ plugin: announceNewTab }]);

  // deep-chat's send button is an icon (a div with role="button") with no name; give it one. It
  // is the widget's only input button (no microphone, camera or file buttons are configured), and
  // deep-chat re-renders it as it changes between send, loading and stop, so a watcher names it
  // whenever it appears.
  function nameSendButton(chat) {
    const root = chat.shadowRoot;
    if (!root) return;
    const name = () =>
      root.querySelectorAll(".input-button:not([aria-label])").forEach((button) => button.setAttribute("aria-label", "Send message"));
    name();
    new MutationObserver(name).observe(root, { childList: true, subtree: true });
  }

  // The conversation kept in this browser: {sender, expires, messages}; an expired one is forgotten.
  function loadConversation() {
    OLD_KEYS.forEach((key) => localStorage.removeItem(key));
    try {
      const kept = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
      if (kept && typeof kept.sender === "string" && Array.isArray(kept.messages) && kept.expires > Date.now()) return kept;
    } catch (error) {
      // unreadable: start a new conversation
    }
    localStorage.removeItem(STORAGE_KEY);
    return { sender: randomId(), expires: 0, messages: [] };
  }

  let conversation = loadConversation();

  function keep(messages) {
    conversation.messages = conversation.messages.concat(messages).slice(-MAX_KEPT_MESSAGES);
    conversation.expires = Date.now() + EXPIRE_MINUTES * 60 * 1000;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(conversation));
  }

  function forgetConversation() {
    localStorage.removeItem(STORAGE_KEY);
    conversation = { sender: randomId(), expires: 0, messages: [] };
  }

  // Rasa's reply (a list of {text, buttons}, and {custom} for the redacted message) as deep-chat messages.
  function toMessages(replies) {
    const messages = [];
    for (const reply of replies) {
      if (reply.custom) continue;
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

  // Ask the server; {messages, redacted} where `redacted` is the message as the server kept it.
  async function ask(message) {
    const response = await fetch(webhook, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: conversation.sender, message }),
    });
    if (response.status >= 400 && response.status < 500) {
      const refusal = await response.json().catch(() => ({}));
      const text = String(refusal.error || "").replace(/^Bad request: /, "") || "Sorry, I couldn't take that message.";
      return { messages: [{ role: "ai", text }], redacted: null };
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const replies = await response.json();
    const custom = replies.find((r) => r.custom && typeof r.custom.redacted_message === "string");
    return { messages: toMessages(replies), redacted: custom ? custom.custom.redacted_message : null };
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
    chat.style.fontFamily = "inherit"; // else deep-chat loads a font from Google
    if (conversation.messages.length) chat.history = conversation.messages;
    chat.remarkable = { html: false, breaks: true, typographer: false, linkTarget: "_blank" };
    chat.textInput = {
      placeholder: { text: "Ask about becoming a lab technician..." },
      characterLimit: 2000,
    };
    chat.style.display = "block";
    chat.style.height = "calc(100% - 2.5rem)"; // below the "New conversation" button
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
        const shown = last.text || "";
        const message = pendingPayload || shown;
        pendingPayload = null;
        try {
          const { messages, redacted } = await ask(message);
          if (redacted !== null) {
            const index = chat.getMessages().length - 1; // the student's message, as typed
            chat.updateMessage({ text: redacted }, index);
          }
          keep([{ role: "user", text: redacted !== null ? redacted : shown }].concat(messages));
          await signals.onResponse(messages);
        } catch (error) {
          await signals.onResponse({ error: UNREACHABLE });
        }
      },
    };
    chat.errorMessages = { displayServiceErrorMessages: true };

    async function greet() {
      try {
        const { messages } = await ask("/greet");
        messages.forEach((message) => chat.addMessage(message));
        keep(messages);
      } catch (error) {
        chat.addMessage({ role: "ai", text: UNREACHABLE });
      }
    }

    chat.onComponentRender = async () => {
      if (chat.dataset.greeted) return;
      nameSendButton(chat);
      chat.dataset.greeted = "yes";
      if (conversation.messages.length) return; // a reload: the conversation is already on screen
      await greet();
    };

    const restart = document.createElement("button");
    restart.type = "button";
    restart.className = "lca-new-conversation";
    restart.textContent = "New conversation";
    restart.title = "Start over and forget this conversation in this browser";
    Object.assign(restart.style, {
      display: "block", marginLeft: "auto", marginBottom: "0.5rem", padding: "0.35rem 0.9rem", font: "inherit",
      fontSize: "0.9rem", color: "#1f5f99", background: "#ffffff", border: "1px solid #1f5f99", borderRadius: "16px",
      cursor: "pointer",
    });
    restart.addEventListener("click", async () => {
      forgetConversation();
      chat.clearMessages(false);
      await greet();
    });
    target.appendChild(restart);
    target.appendChild(chat);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
