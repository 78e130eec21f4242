// The shopping assistant's panel beside a conversation (chat/_assistant.html): redrawn from the
// shopper's own socket events, which chat.js hands on as "agora:frame"; its forms posted without
// leaving the page; on phones moved above the composer as a folding sheet.

const NARROW = "(max-width: 899px)";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function parseJSON(raw, fallback) {
  try {
    return JSON.parse(raw);
  } catch {
    return fallback;
  }
}

// ¥420 for whole yuan, ¥419.50 otherwise, as the server writes prices (assistant/cards.py).
function priceText(fen) {
  const whole = fen % 100 === 0;
  const yuan = (fen / 100).toLocaleString("en-US", {
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  });
  return `¥${yuan}`;
}

function init(panel) {
  const conversationId = panel.dataset.conversationId;
  const csrf = panel.dataset.csrf || "";
  const texts = parseJSON(panel.dataset.texts, {});
  const zh = document.body.dataset.locale === "zh";
  const base = `/chat/${conversationId}/assistant`;
  const on = panel.querySelector("[data-assistant-on]");
  const off = panel.querySelector("[data-assistant-off]");
  const parts = panel.querySelector("[data-assistant-parts]");
  const cards = panel.querySelector("[data-assistant-cards]");
  const empty = panel.querySelector("[data-assistant-empty]");
  const usual = panel.querySelector("[data-assistant-usual]");

  const pick = (localized) => (localized && ((zh && localized.zh) || localized.en)) || "";

  function partItem(part) {
    const item = el("li", "assistant-part");
    item.dataset.testid = "assistant-part";
    item.dataset.key = part.key;
    const label = pick(part.label);
    item.append(el("span", "assistant-part-label", label));
    const form = el("form");
    form.method = "post";
    form.action = `${base}/parts/${encodeURIComponent(part.key)}/remove`;
    form.dataset.assistantForm = "";
    const token = el("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = csrf;
    const button = el("button", "assistant-remove", "×");
    button.type = "submit";
    button.dataset.testid = "assistant-remove";
    button.setAttribute("aria-label", `${texts.remove || "Remove"} ${label}`);
    form.append(token, button);
    item.append(form);
    return item;
  }

  function cardItem(card) {
    const item = el("li", "assistant-card");
    item.dataset.testid = "assistant-card";
    item.dataset.price = String(card.price);
    item.dataset.colour = card.colour || "";
    const link = el("a");
    link.href = card.url;
    const image = el("img");
    image.src = card.image_url;
    image.alt = "";
    image.loading = "lazy";
    image.width = 96;
    image.height = 96;
    link.append(
      image,
      el("span", "assistant-card-title", pick(card.title)),
      el("span", "assistant-card-price", priceText(card.price)),
    );
    item.append(link);
    return item;
  }

  function draw(state) {
    const enabled = Boolean(state.enabled);
    on.hidden = !enabled;
    off.hidden = enabled;
    const shown = enabled ? state.parts || [] : [];
    parts.replaceChildren(...shown.map(partItem));
    cards.replaceChildren(...(enabled ? state.cards || [] : []).map(cardItem));
    empty.hidden = shown.length > 0;
    const cap = enabled ? state.usual_max : null;
    usual.hidden = cap === null || cap === undefined;
    usual.textContent = usual.hidden ? "" : (texts.usual || "").replace("%(price)s", priceText(cap));
  }

  async function refresh() {
    try {
      const response = await fetch(`/api/v1/conversations/${conversationId}/assistant`, {
        headers: { Accept: "application/json" },
      });
      if (response.ok) draw(await response.json());
    } catch {
      // Offline: the socket's next event or a reload brings the panel up to date.
    }
  }

  document.addEventListener("agora:frame", (event) => {
    const frame = event.detail || {};
    if (frame.type === "assistant" && frame.conversation_id === conversationId) {
      draw(frame);
    } else if (frame.type === "assistant_switched") {
      if (frame.enabled) refresh();
      else draw({ enabled: false });
    }
  });
  // A (re)connected socket may have missed an event: ask where the panel stands.
  document.addEventListener("agora:socket-open", refresh);

  panel.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-assistant-form]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      draw(await response.json());
    } catch {
      form.submit(); // the page version says what went wrong
    } finally {
      if (button) button.disabled = false;
    }
  });

  // Phones: the panel folds above the composer; wide screens: the top of the right column.
  const slot = document.querySelector("[data-assistant-slot]");
  const home = panel.parentElement;
  const after = panel.nextElementSibling;
  const narrow = window.matchMedia(NARROW);
  function place() {
    if (narrow.matches && slot) {
      if (panel.parentElement !== slot) {
        slot.append(panel);
        panel.open = cards.children.length > 0;
      }
    } else if (panel.parentElement !== home) {
      home.insertBefore(panel, after);
      panel.open = true;
    }
  }
  place();
  narrow.addEventListener("change", place);
}

const panel = document.querySelector("[data-assistant]");
if (panel) init(panel);
