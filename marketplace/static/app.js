// Progressive enhancements. Every page works without JavaScript.
"use strict";

// Cascading region selects (province -> kab/kota -> kecamatan -> kelurahan/desa) that fill a code field.
function initRegionPicker(root) {
  const input = document.getElementById(root.dataset.target);
  const selects = Array.from(root.querySelectorAll("select[data-level]"));
  const base = document.body.dataset.regionsUrl || "/wilayah";
  root.querySelector(".region-selects").hidden = false;
  input.type = "hidden";

  async function fill(select, parent, chosen) {
    const placeholder = select.options[0].cloneNode(true);
    select.replaceChildren(placeholder);
    if (parent === null) { select.disabled = true; return; }
    const response = await fetch(parent ? `${base}/${parent}` : base, {headers: {Accept: "application/json"}});
    if (!response.ok) return;
    for (const region of await response.json()) {
      const option = new Option(region.name, region.code, false, region.code === chosen);
      select.add(option);
    }
    select.disabled = false;
  }

  async function restore(code) {
    const parts = code ? code.split(".") : [];
    let parent = "";
    for (let i = 0; i < selects.length; i++) {
      const chosen = parts.length > i ? parts.slice(0, i + 1).join(".") : "";
      await fill(selects[i], i === 0 || parent ? parent : null, chosen);
      parent = chosen;
    }
  }

  selects.forEach((select, index) => {
    select.addEventListener("change", async () => {
      input.value = select.value && index === selects.length - 1 ? select.value : "";
      for (let j = index + 1; j < selects.length; j++) {
        await fill(selects[j], j === index + 1 && select.value ? select.value : null, "");
      }
    });
  });
  restore(input.value);
}

document.querySelectorAll("[data-region-picker]").forEach(initRegionPicker);

// Ask before destructive actions.
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
