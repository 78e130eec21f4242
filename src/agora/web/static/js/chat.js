// Agora chat, live over /ws (protocol: docs/api.md "Real-time (WebSocket)").
//
// Two pages use it:
//   [data-chat]      a conversation: appends messages as they arrive, sends over the socket
//                    (the form still posts without JavaScript), marks them read, shows recalls.
//   [data-chat-list] the conversation list: moves a conversation to the top with its last
//                    message and bumps its unread badge.
// Every user-written string goes into the page through textContent, never as HTML.
//
// The socket resumes where it left off: the page keeps the last seq it showed, sends it in
// `sync` after every (re)connect, and ignores any message at or below it.

import { formatDayTime, formatTime } from "./time.js";

const RECONNECT_MAX_MS = 10000;

function parseJSON(raw, fallback) {
  try {
    return JSON.parse(raw || "");
  } catch {
    return fallback;
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// What people typed (messages, names, product titles): marked translate="no" as the page does.
function typed(tag, className, text) {
  const node = el(tag, className, text);
  node.translate = false;
  return node;
}

function fill(template, values) {
  return String(template || "").replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") || "" : "";
}

function formatMoney(amount, currency) {
  const symbol = currency === "CNY" || !currency ? "¥" : `${currency} `;
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(Number(amount) || 0);
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}${symbol}${whole}.${String(abs % 100).padStart(2, "0")}`;
}

function systemLine(body, texts) {
  const event = body.event === "role" ? body.role : body.event;
  const values = {
    actor: body.actor_name || "",
    names: (body.names || []).join(", "),
    title: body.title || "",
  };
  let line = fill(texts[`sys_${event}`] || "%(actor)s", values);
  if (body.new_owner_name) line += ` · ${fill(texts.sys_new_owner, { names: body.new_owner_name })}`;
  return line;
}

function preview(message, texts) {
  if (message.recalled) return texts.recalled;
  const body = message.body || {};
  if (message.kind === "text") return String(body.text || "").slice(0, 80);
  if (message.kind === "system") return systemLine(body, texts);
  // The same lines as templates/chat/_preview.html: anything but text by its kind.
  if (message.kind === "red_envelope") {
    return `[${texts.red_envelope || "Red envelope"}] ${String(body.greeting || "")}`.trim();
  }
  const zh = document.body.dataset.locale === "zh";
  const title = (zh && body.title_zh) || body.title_en || "";
  if (message.kind === "order_card") return `[${texts.order || "Order"}] ${title}`;
  if (message.kind === "share_link" && body.label_en) {
    return `[${(zh && body.label_zh) || body.label_en}] ${title}`;
  }
  if (message.kind === "product_card" || message.kind === "share_link") {
    return `[${texts.product || "Product"}] ${title}`;
  }
  return `[${texts.message || "Chat message"}]`;
}

// One socket that reconnects with backoff and calls onOpen so the page can sync.
function connect({ onOpen, onFrame, onState }) {
  let socket = null;
  let delay = 500;
  let stopped = false;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;

  function open() {
    socket = new WebSocket(url);
    socket.addEventListener("message", (event) => {
      const frame = parseJSON(event.data, null);
      if (!frame) return;
      if (frame.type === "ready") {
        delay = 500;
        onState(true);
        onOpen(socket);
      } else {
        onFrame(frame, socket);
      }
    });
    socket.addEventListener("close", (event) => {
      onState(false);
      if (stopped || event.code === 4401 || event.code === 4403) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    });
  }
  open();
  window.addEventListener("pagehide", () => {
    stopped = true;
    if (socket) socket.close();
  });
  return {
    send(frame) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
  };
}

function conversationPage(root) {
  const conversationId = root.dataset.conversationId;
  const me = root.dataset.me;
  const live = root.dataset.live === "1";
  const names = parseJSON(root.dataset.names, {});
  const texts = parseJSON(root.dataset.texts, {});
  const recallMs = (Number(root.dataset.recallSeconds) || 120) * 1000;
  const list = root.querySelector("[data-messages]");
  const form = root.querySelector("[data-chat-form]");
  const status = root.querySelector("[data-chat-status]");
  const errorBox = root.querySelector("[data-chat-error]");
  const envelopeLink = root.querySelector("[data-envelope-texts]");
  const envelopeTexts = parseJSON(envelopeLink && envelopeLink.dataset.envelopeTexts, {});
  // A store conversation: who "the store" is for unnamed senders, and where order cards lead.
  const defaultName = root.dataset.defaultName || "—";
  const orderBase = root.dataset.orderBase || "/orders/";
  const orderTexts = parseJSON(root.dataset.orderTexts, {});
  const actionBase = root.dataset.base || `/chat/${conversationId}`;
  let lastSeq = Number(root.dataset.lastSeq) || 0;
  let readSent = lastSeq;

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  function recallForm(message) {
    const recall = el("form", "chat-recall");
    recall.method = "post";
    recall.action = `${actionBase}/messages/${message.seq}/recall`;
    const token = el("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = csrfToken();
    const button = el("button", "chat-link", texts.recall);
    button.type = "submit";
    button.dataset.testid = "chat-recall";
    recall.append(token, button);
    // The button disappears when the recall window closes.
    const left = Date.parse(message.created_at) + recallMs - Date.now();
    setTimeout(() => recall.remove(), Math.max(0, left));
    return recall;
  }

  function bubbleContent(message) {
    const body = message.body || {};
    if (message.recalled) return el("p", "chat-recalled", texts.recalled);
    if (message.kind === "text") {
      const p = typed("p", "chat-text", body.text);
      p.dataset.testid = "chat-text";
      return p;
    }
    if (message.kind === "product_card" || message.kind === "share_link") {
      const share = message.kind === "share_link";
      const link = el("a", "chat-card");
      link.href = share
        ? `/s/${encodeURIComponent(body.code || "")}`
        : `/p/${encodeURIComponent(body.product_id || "")}`;
      link.dataset.testid = share ? "chat-share-card" : "chat-product-card";
      if (body.image_url) {
        const img = el("img");
        img.src = body.image_url;
        img.alt = "";
        img.width = 72;
        img.height = 72;
        link.append(img);
      }
      const info = el("span", "chat-card-body");
      const zh = document.body.dataset.locale === "zh";
      info.append(typed("span", "chat-card-title", (zh && body.title_zh) || body.title_en || ""));
      if (typeof body.price === "number") {
        info.append(el("span", "chat-card-price", formatMoney(body.price, body.currency)));
      }
      info.append(el("span", "chat-card-action", share ? texts.open_link : texts.view_product));
      link.append(info);
      return link;
    }
    if (message.kind === "red_envelope") return envelopeCard(body);
    if (message.kind === "order_card") return orderCard(body);
    return el("p", "chat-unsupported", texts.unsupported);
  }

  // The same card as templates/store_chat/_order_card.html.
  function orderCard(body) {
    const link = el("a", "chat-card chat-order-card");
    link.href = `${orderBase}${encodeURIComponent(body.order_id || "")}`;
    link.dataset.testid = "chat-order-card";
    link.dataset.orderId = String(body.order_id || "");
    if (body.image_url) {
      const img = el("img");
      img.src = body.image_url;
      img.alt = "";
      img.width = 72;
      img.height = 72;
      link.append(img);
    }
    const info = el("span", "chat-card-body");
    const zh = document.body.dataset.locale === "zh";
    const label = body.number
      ? fill(orderTexts.number || "Order No. %(number)s", { number: body.number })
      : `${orderTexts.order || "Order"} #${body.short_id || ""}`;
    info.append(el("span", "chat-card-label", label));
    info.append(typed("span", "chat-card-title", (zh && body.title_zh) || body.title_en || ""));
    const status = orderTexts[body.status] || String(body.status || "");
    info.append(el("span", "chat-card-label", `${fill(orderTexts.items || "%(n)s items", { n: body.item_count })} · ${status}`));
    if (typeof body.total === "number") {
      info.append(el("span", "chat-card-price", formatMoney(body.total, body.currency)));
    }
    link.append(info);
    return link;
  }

  // The same card as templates/chat/_message.html; its state comes from the envelope page.
  function envelopeCard(body) {
    const link = el("a", "chat-card chat-envelope");
    link.href = `/red-envelopes/${encodeURIComponent(body.envelope_id || "")}`;
    link.dataset.testid = "chat-envelope-card";
    link.dataset.envelopeId = String(body.envelope_id || "");
    link.append(
      el("span", "chat-envelope-icon", "¥"),
      (body.greeting ? typed : el)("span", "chat-envelope-greeting", body.greeting || envelopeTexts.greeting || "Best wishes!"),
    );
    const state = el("span", "chat-envelope-state", `${envelopeTexts.label || "Red envelope"} · ${envelopeTexts.open || "Open it"}`);
    state.dataset.envelopeState = "";
    link.append(state);
    return link;
  }

  function render(message) {
    const item = el("li", "chat-msg");
    item.dataset.testid = "chat-message";
    item.dataset.seq = String(message.seq);
    item.dataset.kind = message.kind;
    if (message.kind === "system") {
      item.classList.add("chat-msg-system");
      item.append(el("span", "chat-system", systemLine(message.body || {}, texts)));
      return item;
    }
    const mine = message.sender_id === me;
    item.dataset.sender = message.sender_id;
    item.dataset.clientId = message.client_id;
    if (mine) item.classList.add("is-mine");
    else item.append(typed("span", "chat-sender", names[message.sender_id] || defaultName));
    const bubble = el("div", "chat-bubble");
    bubble.append(bubbleContent(message));
    item.append(bubble);
    const meta = el("span", "chat-meta");
    const time = el("time", null, formatTime(message.created_at));
    time.dateTime = message.created_at;
    meta.append(time);
    if (mine && !message.recalled && Date.now() - Date.parse(message.created_at) < recallMs) {
      meta.append(recallForm(message));
    }
    item.append(meta);
    return item;
  }

  function place(message) {
    if (message.seq <= lastSeq) return;
    lastSeq = message.seq;
    const pending = list.querySelector(
      `.is-pending[data-client-id="${CSS.escape(message.client_id || "")}"]`,
    );
    if (message.sender_id === me && pending) pending.remove();
    if (message.kind === "system" && message.body) {
      for (const [i, id] of (message.body.user_ids || []).entries()) {
        if (message.body.names && message.body.names[i]) names[id] = message.body.names[i];
      }
    }
    const empty = root.querySelector("[data-chat-empty]");
    if (empty) empty.remove();
    list.append(render(message));
    scrollDown();
  }

  function markRead(socket) {
    if (document.visibilityState !== "visible" || lastSeq <= readSent) return;
    readSent = lastSeq;
    socket.send({ type: "read", conversation_id: conversationId, seq: lastSeq });
  }

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  scrollDown();
  if (!live) return; // an older page of history: nothing to follow

  const socket = connect({
    onState(up) {
      status.textContent = up ? "" : texts.offline;
      status.hidden = up;
    },
    onOpen(ws) {
      ws.send(JSON.stringify({ type: "sync", cursors: { [conversationId]: lastSeq } }));
      document.dispatchEvent(new CustomEvent("agora:socket-open"));
    },
    onFrame(frame) {
      if (frame.type === "assistant" || frame.type === "assistant_switched") {
        // The shopping assistant's panel (assistant.js): the reader's own events only.
        document.dispatchEvent(new CustomEvent("agora:frame", { detail: frame }));
      } else if (frame.type === "message" && frame.conversation_id === conversationId) {
        place(frame.message);
        markRead(socket);
      } else if (frame.type === "red_envelope" && frame.conversation_id === conversationId) {
        // Every share taken or the time up: cards not yet opened here say so.
        if (frame.status !== "finished" && frame.status !== "expired") return;
        const id = CSS.escape(String(frame.envelope_id || ""));
        for (const card of list.querySelectorAll(`.chat-envelope[data-envelope-id="${id}"]:not(.is-done)`)) {
          card.classList.add("is-done");
          const state = card.querySelector("[data-envelope-state]");
          const text = frame.status === "finished" ? envelopeTexts.all_taken : envelopeTexts.expired;
          if (state && text) state.textContent = text;
        }
      } else if (frame.type === "recalled" && frame.conversation_id === conversationId) {
        const item = list.querySelector(`[data-seq="${Number(frame.seq)}"]`);
        const bubble = item && item.querySelector(".chat-bubble");
        if (bubble) {
          bubble.replaceChildren(el("p", "chat-recalled", texts.recalled));
          const recall = item.querySelector(".chat-recall");
          if (recall) recall.remove();
        }
      } else if (frame.type === "error" && frame.client_id) {
        const pending = list.querySelector(
          `.is-pending[data-client-id="${CSS.escape(String(frame.client_id))}"]`,
        );
        if (pending) {
          pending.classList.add("is-failed");
          pending.classList.remove("is-pending");
          const note = pending.querySelector(".chat-meta");
          if (note) note.textContent = texts.failed;
        }
        showError(frame.title);
      }
    },
  });
  document.addEventListener("visibilitychange", () => markRead(socket));

  if (form) {
    const box = form.querySelector("textarea");
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (event) => {
      const text = box.value.trim();
      if (!text) return;
      const clientId = newClientId();
      const frame = { type: "send", conversation_id: conversationId, client_id: clientId, kind: "text", body: { text } };
      if (!socket.send(frame)) return; // offline: let the form post
      event.preventDefault();
      showError("");
      const pending = render({
        seq: 0, kind: "text", sender_id: me, client_id: clientId, body: { text },
        created_at: new Date().toISOString(), recalled: true,
      });
      pending.classList.add("is-pending");
      pending.querySelector(".chat-bubble").replaceChildren(typed("p", "chat-text", text));
      pending.querySelector(".chat-meta").textContent = texts.sending;
      list.append(pending);
      scrollDown();
      box.value = "";
    });
  }
}

function listPage(root) {
  const me = root.dataset.me;
  const texts = parseJSON(root.dataset.texts, {});
  const list = root.querySelector(".chat-list");
  // A store's inbox: the socket also carries the staff member's own chats (ignored here), and
  // unread is the store's: a message from the shopper adds one, anything from staff clears it.
  const inbox = "inbox" in root.dataset;
  connect({
    onState() {},
    onOpen(ws) {
      ws.send(JSON.stringify({ type: "sync", cursors: {} }));
    },
    onFrame(frame) {
      if (inbox) {
        inboxFrame(frame);
        return;
      }
      if (frame.type === "conversation_added") {
        if (frame.as_staff) return; // a store's conversation: it is in the store's inbox
        if (!root.querySelector(`[data-conversation-id="${CSS.escape(frame.conversation_id)}"]`)) {
          location.reload();
        }
        return;
      }
      if (frame.type === "read" && frame.user_id === me && list) {
        // Read on another tab or device.
        const seen = list.querySelector(`[data-conversation-id="${CSS.escape(frame.conversation_id)}"] [data-testid='unread-badge']`);
        if (seen) {
          seen.dataset.unread = "0";
          seen.hidden = true;
        }
        return;
      }
      if (frame.type !== "message" || !list) return;
      const item = list.querySelector(`[data-conversation-id="${CSS.escape(frame.conversation_id)}"]`);
      if (!item) {
        // Store staff also follow their stores' conversations, which are not listed here.
        if (!("staff" in root.dataset)) location.reload();
        return;
      }
      const last = item.querySelector("[data-last]");
      if (last) last.textContent = preview(frame.message, texts);
      showTime(item, frame.message.created_at);
      if (frame.message.sender_id !== me) {
        const badge = item.querySelector("[data-testid='unread-badge']");
        const unread = (Number(badge.dataset.unread) || 0) + 1;
        badge.dataset.unread = String(unread);
        badge.textContent = unread < 100 ? String(unread) : "99+";
        badge.hidden = false;
      }
      list.prepend(item);
    },
  });

  function inboxFrame(frame) {
    if (!list || (frame.type !== "message" && frame.type !== "read")) return;
    const item = list.querySelector(`[data-conversation-id="${CSS.escape(frame.conversation_id || "")}"]`);
    if (!item) return;
    const badge = item.querySelector("[data-testid='unread-badge']");
    const fromShopper = (frame.type === "message" ? frame.message.sender_id : frame.user_id) === item.dataset.shopper;
    if (frame.type === "message") {
      const last = item.querySelector("[data-last]");
      if (last) last.textContent = preview(frame.message, texts);
      showTime(item, frame.message.created_at);
      list.prepend(item);
    } else if (fromShopper) {
      return; // the shopper's own read cursor says nothing about the store's
    }
    const unread = fromShopper ? (Number(badge.dataset.unread) || 0) + 1 : 0;
    badge.dataset.unread = String(unread);
    badge.textContent = unread < 100 ? String(unread) : "99+";
    badge.hidden = unread === 0;
  }
}

// A conversation's latest activity in the list, as the page renders it.
function showTime(item, iso) {
  const time = item.querySelector("time");
  if (!time || !iso) return;
  time.dateTime = iso;
  time.textContent = formatDayTime(iso);
}

const conversation = document.querySelector("[data-chat]");
if (conversation) conversationPage(conversation);
const overview = document.querySelector("[data-chat-list]");
if (overview) listPage(overview);
