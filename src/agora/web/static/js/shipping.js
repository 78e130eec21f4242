// Agora shipping pages: the tracking page follows the parcel live; the label page prints.
(function () {
  "use strict";

  const printButton = document.querySelector("[data-print]");
  if (printButton) printButton.addEventListener("click", () => window.print());

  const panel = document.querySelector("[data-live-tracking]");
  if (!panel || !("WebSocket" in window)) return;
  const orderId = panel.dataset.order;
  let delay = 1000;
  let refreshing = false;

  // Fetch this page again and put its parcels in place of ours: the server renders them.
  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try {
      const response = await fetch(location.href, { headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      // Every part of the page marked data-live (the parcels, the order's status) in place.
      const fresh = page.querySelectorAll("[data-live]");
      document.querySelectorAll("[data-live]").forEach((part, i) => {
        if (fresh[i]) part.innerHTML = fresh[i].innerHTML;
      });
    } finally {
      refreshing = false;
    }
  }

  function connect() {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => { delay = 1000; });
    socket.addEventListener("message", (frame) => {
      let event;
      try { event = JSON.parse(frame.data); } catch (_) { return; }
      if (event.type === "ready") {
        // Events wait for a sync; we have every message we want (none of this page's business).
        socket.send(JSON.stringify({ type: "sync", cursors: event.conversations || {} }));
        refresh(); // anything that moved while the socket was away
        return;
      }
      if (event.order_id !== orderId) return;
      if (event.type === "logistics.parcel" || String(event.type).startsWith("ordering.order_")) {
        refresh();
      }
    });
    socket.addEventListener("close", (closed) => {
      if (closed.code === 4401 || closed.code === 4403) return; // signed out: nothing to follow
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
