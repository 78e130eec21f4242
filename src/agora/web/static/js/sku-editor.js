// Agora SKU editor: add and remove rows of a product's SKUs (colour, size, price, stock).
//
// Markup (templates/merchant/_sku_editor.html):
//   <fieldset data-sku-editor>
//     <div data-sku-rows> <div data-sku-row> …inputs… <button data-sku-remove hidden> </div> … </div>
//     <button data-sku-add hidden>+ Add a SKU</button>
//   </fieldset>
// Without this file the server's fixed rows are the form. With it, blank rows after the first
// blank one are dropped, rows are added from a blank copy and removed (the last one is cleared).

const blank = (row) => Array.from(row.querySelectorAll("input, select")).every((field) => !field.value);

function renumber(rows) {
  Array.from(rows.querySelectorAll("[data-sku-row]")).forEach((row, index) => {
    for (const field of row.querySelectorAll("input[id], select[id]")) {
      const id = field.id.replace(/-\d+$/, `-${index + 1}`);
      const label = row.querySelector(`label[for="${CSS.escape(field.id)}"]`);
      field.id = id;
      if (label) label.htmlFor = id;
    }
  });
}

function clear(row) {
  for (const field of row.querySelectorAll("input, select")) {
    if (field.tagName === "SELECT") field.selectedIndex = 0;
    else field.value = "";
    field.removeAttribute("aria-invalid");
  }
}

export function init(editor) {
  if (!editor || editor.hasAttribute("data-sku-editor-ready")) return;
  editor.setAttribute("data-sku-editor-ready", "");
  const rows = editor.querySelector("[data-sku-rows]");
  const add = editor.querySelector("[data-sku-add]");
  if (!rows || !add) return;

  const all = () => Array.from(rows.querySelectorAll("[data-sku-row]"));
  const template = all()[0].cloneNode(true);
  clear(template);

  let keptBlank = false;
  for (const row of all()) {
    if (!blank(row)) continue;
    if (keptBlank) row.remove();
    keptBlank = true;
  }
  renumber(rows);

  const wire = (row) => {
    const remove = row.querySelector("[data-sku-remove]");
    if (remove) remove.hidden = false;
  };
  all().forEach(wire);
  add.hidden = false;

  add.addEventListener("click", () => {
    const row = template.cloneNode(true);
    rows.append(row);
    wire(row);
    renumber(rows);
    const first = row.querySelector("select, input");
    if (first) first.focus();
  });

  rows.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-sku-remove]") : null;
    if (!button) return;
    const row = button.closest("[data-sku-row]");
    if (!row) return;
    if (all().length > 1) row.remove();
    else clear(row);
    renumber(rows);
    add.focus();
  });
}

for (const editor of document.querySelectorAll("[data-sku-editor]")) init(editor);
