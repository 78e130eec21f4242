// Agora: small progressive enhancements loaded on every page (as a module, so it runs deferred).
// Every page works without this file; it only adds feedback and conveniences.
//
//   form submit          → submit buttons disabled + aria-busy="true" while the request runs
//   [data-confirm="…"]   → confirm() before a form is sent or a link is followed
//   [data-countdown=ISO] (or [data-seconds=N]) → ticks every second as HH:MM:SS left (adds
//   .is-expired at zero, shows data-countdown-done, disables what data-disables selects)
//   [data-sku-picker]    → loads ./sku-picker.js and calls init(element)
//   [data-dismiss]       → a close button that removes its [data-flash] (or parent) element
//   select[data-autosubmit] → submits its form when changed (sort menus, filters)

const BUSY_MARK = "data-busy-disabled";

function submitButtons(form) {
  const inside = Array.from(form.querySelectorAll('button:not([type]), button[type="submit"], input[type="submit"]'));
  const outside = form.id
    ? Array.from(document.querySelectorAll(`[form="${CSS.escape(form.id)}"][type="submit"]`))
    : [];
  return inside.concat(outside);
}

function setBusy(form, submitter) {
  form.setAttribute("aria-busy", "true");
  // Disable after the browser has built the form data, so the clicked button's name=value is sent.
  setTimeout(() => {
    for (const button of submitButtons(form)) {
      if (!button.disabled) {
        button.disabled = true;
        button.setAttribute(BUSY_MARK, "");
      }
    }
    if (submitter) submitter.classList.add("is-busy");
  }, 0);
}

function clearBusy(form) {
  form.removeAttribute("aria-busy");
  for (const button of form.querySelectorAll(`[${BUSY_MARK}]`)) {
    button.disabled = false;
    button.removeAttribute(BUSY_MARK);
    button.classList.remove("is-busy");
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
  if (form.getAttribute("aria-busy") === "true") {
    event.preventDefault(); // a second click while the first request runs
    return;
  }
  const submitter = event.submitter || null;
  const message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  if (form.hasAttribute("data-no-busy")) return;
  setBusy(form, submitter);
});

// Links (and non-submit buttons) with data-confirm.
document.addEventListener("click", (event) => {
  const el = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
  if (!el || el instanceof HTMLFormElement) return;
  const isSubmit = (el instanceof HTMLButtonElement && el.type === "submit" && el.form)
    || (el instanceof HTMLInputElement && el.type === "submit" && el.form);
  if (isSubmit) return; // handled on submit, with the same message
  if (!window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Coming back with the Back button restores the page from cache: make its forms usable again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll('form[aria-busy="true"]')) clearBusy(form);
});

// Dismissable flash messages.
for (const button of document.querySelectorAll("[data-dismiss]")) {
  button.hidden = false;
  button.addEventListener("click", () => {
    const box = button.closest("[data-flash]") || button.parentElement;
    if (box) box.remove();
  });
}

// Selects that submit their form on change.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    if (typeof el.form.requestSubmit === "function") el.form.requestSubmit();
    else el.form.submit();
  }
});

// Countdowns.
const pad = (n) => String(n).padStart(2, "0");

export function formatLeft(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return `${pad(hours)}:${pad(minutes)}:${pad(total % 60)}`;
}

// `data-seconds` (the time left when the server rendered the page) wins over the ISO deadline in
// `data-countdown`, so a device whose clock is wrong still counts down the right time.
function countdownEnd(el) {
  const seconds = el.getAttribute("data-seconds");
  if (seconds !== null) return Date.now() + (Number.parseInt(seconds, 10) || 0) * 1000;
  return Date.parse(el.getAttribute("data-countdown"));
}

const countdowns = Array.from(document.querySelectorAll("[data-countdown]"))
  .map((el) => ({ el, end: countdownEnd(el) }))
  .filter((item) => !Number.isNaN(item.end));

function tick() {
  const now = Date.now();
  for (const item of countdowns) {
    if (item.done) continue;
    const left = item.end - now;
    item.el.textContent = formatLeft(left);
    if (left <= 0) {
      item.done = true;
      item.el.classList.add("is-expired");
      const doneText = item.el.getAttribute("data-countdown-done");
      if (doneText) item.el.textContent = doneText;
      // What can no longer be done when the time is up (a team's "Join" button).
      const disables = item.el.getAttribute("data-disables");
      if (disables) for (const control of document.querySelectorAll(disables)) control.disabled = true;
      item.el.dispatchEvent(new CustomEvent("countdown:end", { bubbles: true }));
    }
  }
  if (countdowns.every((item) => item.done)) clearInterval(timer);
}

let timer = null;
if (countdowns.length) {
  timer = setInterval(tick, 1000);
  tick();
}

// The SKU picker is loaded only on pages that have one.
const pickers = document.querySelectorAll("[data-sku-picker]");
if (pickers.length) {
  import("./sku-picker.js")
    .then((module) => {
      for (const el of pickers) module.init(el);
    })
    .catch((error) => console.error("Agora: could not load the SKU picker", error));
}
