// The listing form: repeatable rows (specifications, regional prices) and KBKI suggestions. No framework; the
// form works without JavaScript (one empty row of each list is always there).
"use strict";

function initRows(box) {
  const body = box.querySelector("[data-rows-body]");
  const template = box.querySelector("template[data-row-template]");
  const add = box.querySelector("[data-add-row]");
  const max = Number(box.dataset.max || 0);
  let next = Number(add.dataset.nextIndex || body.querySelectorAll("[data-row]").length);

  function wire(row) {
    const remove = row.querySelector("[data-remove-row]");
    if (!remove) return;
    remove.hidden = false;
    remove.addEventListener("click", () => {
      row.remove();
      add.disabled = false;
    });
  }

  function renumber(node, index) {
    for (const element of node.querySelectorAll("[name], [id], [aria-describedby]")) {
      for (const attribute of ["name", "id", "aria-describedby"]) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replaceAll("__index__", String(index)));
      }
    }
  }

  body.querySelectorAll("[data-row]").forEach(wire);
  add.hidden = false;
  add.addEventListener("click", () => {
    if (max && body.querySelectorAll("[data-row]").length >= max) {
      add.disabled = true;
      return;
    }
    const fragment = template.content.cloneNode(true);
    renumber(fragment, next++);
    const row = fragment.querySelector("[data-row]");
    body.append(fragment);
    wire(row);
    const first = row.querySelector("input");
    if (first) first.focus();
  });
}

function initKbkiLookup(input) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2 || query === asked) return;
    timer = setTimeout(async () => {
      asked = query;
      const response = await fetch(`${input.dataset.kbkiLookup}?q=${encodeURIComponent(query)}`, {
        headers: {Accept: "application/json"},
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const options = (await response.json()).map((item) => {
        const option = document.createElement("option");
        option.value = item.code;
        option.label = item.title;
        option.textContent = item.title;
        return option;
      });
      list.replaceChildren(...options);
    }, 250);
  });
}

document.querySelectorAll("[data-rows]").forEach(initRows);
document.querySelectorAll("input[data-kbki-lookup]").forEach(initKbkiLookup);
