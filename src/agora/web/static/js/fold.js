// Sections folded behind a button on phones (details[data-open-wide]: the search filters, the
// moment composer) stay open on wide screens. phone.css shows them there even without this
// script where the browser allows; this also covers browsers that do not.
const wide = window.matchMedia("(min-width: 900px)");
for (const details of document.querySelectorAll("details[data-open-wide]")) {
  const chosen = details.open;
  const sync = () => {
    details.open = wide.matches || chosen;
  };
  sync();
  wide.addEventListener("change", sync);
}
