// Agora product gallery: a scroll-snap strip of pictures (swipe on phones) with thumbnails.
//
// Markup (templates/shop/_gallery.html):
//   <div data-gallery>
//     <div data-gallery-track> <figure id="shot-1" data-colour="red"?> <img> </figure> … </div>
//     <span data-gallery-count>1 / 3</span>
//     <ol> <li><a href="#shot-1" data-gallery-thumb> <img> </a></li> … </ol>
//   </div>
// Without this file the thumbnails are links to their picture. With it, a thumbnail scrolls the
// strip to its picture and is marked current as the strip moves; choosing a colour in the SKU
// picker ("sku:change" with detail.colour) shows that colour's picture.

export function init(root) {
  if (!root || root.hasAttribute("data-gallery-ready")) return;
  root.setAttribute("data-gallery-ready", "");
  const track = root.querySelector("[data-gallery-track]");
  if (!track) return;
  const slides = Array.from(track.children);
  const thumbs = Array.from(root.querySelectorAll("[data-gallery-thumb]"));
  const count = root.querySelector("[data-gallery-count]");
  let current = -1;

  const mark = (index) => {
    if (index === current || index < 0 || index >= slides.length) return;
    current = index;
    thumbs.forEach((thumb, i) => {
      if (i === index) thumb.setAttribute("aria-current", "true");
      else thumb.removeAttribute("aria-current");
    });
    if (count) count.textContent = `${index + 1} / ${slides.length}`;
    root.setAttribute("data-current", String(index));
  };

  const show = (index, smooth = true) => {
    const slide = slides[index];
    if (!slide) return;
    track.scrollTo({ left: slide.offsetLeft - track.offsetLeft, behavior: smooth ? "smooth" : "auto" });
    mark(index);
  };

  thumbs.forEach((thumb, index) => {
    thumb.addEventListener("click", (event) => {
      event.preventDefault();
      show(index);
    });
  });

  let pending = 0;
  track.addEventListener("scroll", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      mark(Math.round(track.scrollLeft / Math.max(1, track.clientWidth)));
    });
  }, { passive: true });

  document.addEventListener("sku:change", (event) => {
    const colour = event.detail && event.detail.colour;
    if (!colour) return;
    const index = slides.findIndex((slide) => slide.dataset.colour === colour);
    if (index >= 0) show(index);
  });

  mark(0);
}

for (const root of document.querySelectorAll("[data-gallery]")) init(root);
