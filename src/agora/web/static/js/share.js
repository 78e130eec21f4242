// "Copy link" buttons on the shares page: copy the link's text field to the clipboard.
// Without JavaScript (or clipboard access) the buttons stay hidden and the field is selectable.

for (const button of document.querySelectorAll("[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const label = button.textContent;
    button.disabled = true;
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.copied || label;
    } catch {
      field.select();
    } finally {
      setTimeout(() => {
        button.textContent = label;
        button.disabled = false;
      }, 1500);
    }
  });
}

for (const field of document.querySelectorAll("[data-share-link]")) {
  field.addEventListener("focus", () => field.select());
}
