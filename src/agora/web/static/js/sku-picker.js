// Agora SKU picker: choose a colour and/or a size, see the price and stock of that SKU.
//
// Markup (rendered by the product page; everything here is optional except data-skus):
//   <div data-sku-picker data-skus='[{"id","colour","colour_name","colour_hex","size",
//        "price","price_text","stock","image"?}]'
//        data-text-in-stock="{n} in stock" data-text-out-of-stock="Out of stock"
//        data-text-choose="Choose a colour and size" data-text-unavailable="Not available">
//     <button type="button" data-colour="red" aria-pressed="false">…</button>   (swatches)
//     <button type="button" data-size="M" aria-pressed="false">M</button>       (sizes)
//     <span data-sku-colour-name></span> <span data-sku-size-name></span>      (current choice)
//     <span data-sku-price>…</span> <span data-sku-stock>…</span>
//     <input type="hidden" name="sku_id" data-sku-input>
//     <input name="quantity" data-sku-qty>                                     (max = stock)
//     <button data-needs-sku>Add to cart</button> <button data-needs-sku>Buy now</button>
//   </div>
//   <img data-sku-image src="…">   (anywhere on the page: the main picture)
// With one picker on the page, [data-sku-price], [data-sku-stock], [data-needs-sku] etc. may also
// sit outside the root (e.g. the price block above it, the sticky action bar).
//
// The root gets data-selected-sku="<id>" once a SKU with a known id is chosen, and fires a
// bubbling "sku:change" event with detail {sku, colour}: sku is null while the choice is
// incomplete; colour is the chosen colour even then (the gallery shows its picture).

const text = (value) => (value === undefined || value === null ? "" : String(value));

function normalise(raw) {
  return {
    ...raw,
    id: text(raw.id),
    colour: text(raw.colour) || null,
    size: text(raw.size) || null,
    stock: Number(raw.stock) || 0,
  };
}

function unique(values) {
  return Array.from(new Set(values.filter(Boolean)));
}

// "¥1,299.00" → the same three spans the price() macro renders.
function fillPrice(el, priceText) {
  const target = el.matches(".price") ? el : el.querySelector(".price");
  if (!target) {
    el.textContent = priceText;
    return;
  }
  const dot = priceText.lastIndexOf(".");
  const head = dot >= 0 ? priceText.slice(0, dot) : priceText;
  const decimals = dot >= 0 ? priceText.slice(dot) : "";
  const symbol = head.replace(/[\d,]+$/, "");
  const parts = [
    ["price-sym", symbol],
    ["price-int", head.slice(symbol.length)],
    ["price-dec", decimals],
  ];
  target.replaceChildren(
    ...parts
      .filter(([, value]) => value)
      .map(([cls, value]) => {
        const span = document.createElement("span");
        span.className = cls;
        span.textContent = value;
        return span;
      }),
  );
}

export function init(root) {
  if (!root || root.hasAttribute("data-sku-ready")) return null;
  root.setAttribute("data-sku-ready", "");

  let skus = [];
  try {
    const parsed = JSON.parse(root.getAttribute("data-skus") || "[]");
    if (Array.isArray(parsed)) skus = parsed.map(normalise);
  } catch (error) {
    console.error("Agora: bad data-skus JSON", error);
  }

  const colourButtons = Array.from(root.querySelectorAll("button[data-colour]"));
  const sizeButtons = Array.from(root.querySelectorAll("button[data-size]"));
  const colours = unique(skus.map((s) => s.colour).concat(colourButtons.map((b) => b.dataset.colour)));
  const sizes = unique(skus.map((s) => s.size).concat(sizeButtons.map((b) => b.dataset.size)));
  const needColour = colours.length > 0;
  const needSize = sizes.length > 0;

  // Parts are looked up inside the root first; when the page has a single picker they may also sit
  // elsewhere (the price block above it, the sticky action bar below it).
  const single = document.querySelectorAll("[data-sku-picker]").length === 1;
  const find = (selector) => root.querySelector(selector) || (single ? document.querySelector(selector) : null);
  const priceEl = find("[data-sku-price]");
  const stockEl = find("[data-sku-stock]");
  const input = find("[data-sku-input]");
  const qtyInput = find("[data-sku-qty]");
  const colourName = find("[data-sku-colour-name]");
  const sizeName = find("[data-sku-size-name]");
  const image = document.querySelector("[data-sku-image]");
  const actionButtons = () => (single
    ? document.querySelectorAll("[data-needs-sku]")
    : root.querySelectorAll("[data-needs-sku]"));

  const original = {
    priceHTML: priceEl ? priceEl.innerHTML : "",
    stockText: stockEl ? stockEl.textContent : "",
    imageSrc: image ? image.getAttribute("src") : null,
  };
  const texts = {
    inStock: root.getAttribute("data-text-in-stock") || "{n} in stock",
    outOfStock: root.getAttribute("data-text-out-of-stock") || "Out of stock",
    choose: root.getAttribute("data-text-choose") || "",
    unavailable: root.getAttribute("data-text-unavailable") || "",
  };

  if (stockEl && !stockEl.hasAttribute("aria-live")) stockEl.setAttribute("aria-live", "polite");
  for (const button of colourButtons.concat(sizeButtons)) {
    if (!button.hasAttribute("type")) button.type = "button"; // never submit the form
  }

  const state = { colour: null, size: null };
  const pressed = (buttons, key) => {
    const on = buttons.find((b) => b.getAttribute("aria-pressed") === "true");
    return on ? on.dataset[key] : null;
  };
  state.colour = pressed(colourButtons, "colour") || (colours.length === 1 ? colours[0] : null);
  state.size = pressed(sizeButtons, "size") || (sizes.length === 1 ? sizes[0] : null);

  const fits = (sku, colour, size) =>
    (!needColour || colour === null || sku.colour === colour)
    && (!needSize || size === null || sku.size === size);

  const inStock = (colour, size) => skus.some((s) => s.stock > 0 && fits(s, colour, size));

  function resolve() {
    if ((needColour && state.colour === null) || (needSize && state.size === null)) {
      return { complete: false, sku: null };
    }
    const matches = skus.filter((s) => fits(s, state.colour, state.size));
    const sku = matches.find((s) => s.stock > 0) || matches[0] || null;
    return { complete: true, sku };
  }

  function paintButtons(buttons, key, selected, available) {
    for (const button of buttons) {
      const value = button.dataset[key];
      const isOn = value === selected;
      const ok = available(value);
      button.setAttribute("aria-pressed", isOn ? "true" : "false");
      button.classList.toggle("is-selected", isOn);
      button.classList.toggle("is-unavailable", !ok);
      if (!ok) button.setAttribute("data-unavailable", "");
      else button.removeAttribute("data-unavailable");
    }
  }

  function pictureFor(sku) {
    if (sku && sku.image) return sku.image;
    if (state.colour !== null) {
      const sameColour = skus.find((s) => s.colour === state.colour && s.image);
      if (sameColour) return sameColour.image;
    }
    return original.imageSrc;
  }

  function render() {
    paintButtons(colourButtons, "colour", state.colour, (c) => inStock(c, state.size));
    paintButtons(sizeButtons, "size", state.size, (z) => inStock(state.colour, z));

    const { complete, sku } = resolve();
    const buyable = Boolean(sku && sku.stock > 0);

    if (input) input.value = sku && complete ? sku.id : "";
    if (sku && complete && sku.id) root.setAttribute("data-selected-sku", sku.id);
    else root.removeAttribute("data-selected-sku");

    if (priceEl) {
      if (sku && complete && sku.price_text) fillPrice(priceEl, text(sku.price_text));
      else priceEl.innerHTML = original.priceHTML;
    }

    if (stockEl) {
      let message;
      if (!complete) message = texts.choose || original.stockText;
      else if (!sku) message = texts.unavailable || texts.outOfStock;
      else if (sku.stock > 0) message = texts.inStock.replace("{n}", String(sku.stock));
      else message = texts.outOfStock;
      stockEl.textContent = message;
      stockEl.classList.toggle("is-out", complete && !buyable);
    }

    if (qtyInput && sku && complete && sku.stock > 0) {
      qtyInput.max = String(sku.stock);
      if (Number(qtyInput.value) > sku.stock) qtyInput.value = String(sku.stock);
    }

    for (const button of actionButtons()) button.disabled = !(complete && buyable);

    if (colourName) {
      const chosen = skus.find((s) => s.colour === state.colour);
      const btn = colourButtons.find((b) => b.dataset.colour === state.colour);
      colourName.textContent = state.colour === null
        ? ""
        : text((chosen && chosen.colour_name) || (btn && btn.textContent.trim()) || state.colour);
    }
    if (sizeName) sizeName.textContent = state.size === null ? "" : state.size;

    if (image) {
      const src = pictureFor(complete ? sku : null);
      if (src && image.getAttribute("src") !== src) image.setAttribute("src", src);
    }

    root.dispatchEvent(new CustomEvent("sku:change", {
      bubbles: true,
      detail: { sku: complete ? sku : null, colour: state.colour },
    }));
  }

  root.addEventListener("click", (event) => {
    const button = event.target instanceof Element
      ? event.target.closest("button[data-colour], button[data-size]")
      : null;
    if (!button || !root.contains(button)) return;
    event.preventDefault();
    if (button.hasAttribute("data-colour")) {
      const value = button.dataset.colour;
      state.colour = state.colour === value && colours.length > 1 ? null : value;
    } else {
      const value = button.dataset.size;
      state.size = state.size === value && sizes.length > 1 ? null : value;
    }
    render();
  });

  render();
  return { state, render, resolve };
}
