/*
 * Search-as-you-type choosers over /admin/autocomplete/.
 *
 * The server renders a plain text input holding the related id inside an element with
 * data-autocomplete-url, so every page works without this script. The script hides that
 * input and puts an ARIA combobox in front of it: typing searches the related model's
 * admin (paged, never the whole table) and choosing a row stores its id. Inside a form
 * marked data-submit-on-choose (the changelist's filter), choosing applies the filter.
 */
(function () {
  "use strict";

  var DELAY_MS = 250;
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }  // text, never HTML
    return node;
  }

  function Chooser(root) {
    this.root = root;
    this.url = root.getAttribute("data-autocomplete-url");
    this.idInput = root.querySelector("input[type=text]");
    this.label = root.querySelector(".related-label");
    this.required = root.getAttribute("data-required") === "true";
    this.submitOnChoose = root.hasAttribute("data-submit-on-choose");
    this.results = [];
    this.active = -1;
    this.page = 1;
    this.more = false;
    this.timer = null;
    this.request = null;
    this.build();
  }

  Chooser.prototype.build = function () {
    var uid = "autocomplete-" + (++counter);
    var current = this.label ? this.label.textContent.trim() : "";
    this.box = el("input", {
      type: "search", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
      "aria-controls": uid + "-list", autocomplete: "off", id: uid, class: "autocomplete-input",
      placeholder: "Type to search…"
    });
    this.box.value = current;
    this.chosenText = current;
    this.list = el("ul", { role: "listbox", id: uid + "-list", class: "autocomplete-results", hidden: "" });
    this.status = el("span", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    var label = this.idInput.id && document.querySelector("label[for='" + this.idInput.id + "']");
    if (label) { label.htmlFor = uid; }
    this.idInput.hidden = true;
    this.idInput.setAttribute("aria-hidden", "true");
    if (this.label) { this.label.hidden = true; }
    this.idInput.insertAdjacentElement("afterend", this.box);
    this.box.insertAdjacentElement("afterend", this.list);
    this.list.insertAdjacentElement("afterend", this.status);
    this.box.addEventListener("input", this.onInput.bind(this));
    this.box.addEventListener("keydown", this.onKey.bind(this));
    this.box.addEventListener("blur", this.onBlur.bind(this));
    this.list.addEventListener("mousedown", this.onPick.bind(this));
  };

  Chooser.prototype.onInput = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.fetchPage(1); }, DELAY_MS);
  };

  Chooser.prototype.fetchPage = function (page) {
    var self = this;
    if (this.request) { this.request.abort(); }
    this.request = new AbortController();
    var query = "&term=" + encodeURIComponent(this.box.value) + "&page=" + page;
    fetch(this.url + query, {
      credentials: "same-origin", headers: { Accept: "application/json" }, signal: this.request.signal
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      self.results = page === 1 ? data.results : self.results.concat(data.results);
      self.page = page;
      self.more = Boolean(data.pagination && data.pagination.more);
      self.render(page === 1 ? 0 : self.active);
    }).catch(function (error) {
      if (error.name === "AbortError") { return; }
      self.fallBack();
    });
  };

  Chooser.prototype.render = function (active) {
    var self = this;
    this.list.replaceChildren();
    this.results.forEach(function (row, index) {
      self.list.appendChild(el("li", {
        role: "option", id: self.box.id + "-" + index, "data-index": String(index), "aria-selected": "false"
      }, row.text));
    });
    if (this.more) {
      this.list.appendChild(el("li", {
        role: "option", id: this.box.id + "-more", "data-more": "true", class: "autocomplete-more", "aria-selected": "false"
      }, "Load more…"));
    }
    if (!this.list.children.length) {
      this.list.appendChild(el("li", { class: "autocomplete-empty", "aria-disabled": "true" }, "No matches"));
    }
    this.list.hidden = false;
    this.box.setAttribute("aria-expanded", "true");
    this.status.textContent = this.results.length + (this.more ? "+" : "") + " results";
    this.highlight(this.results.length ? active : -1);
  };

  Chooser.prototype.options = function () {
    return Array.prototype.filter.call(this.list.children, function (li) { return li.getAttribute("role") === "option"; });
  };

  Chooser.prototype.highlight = function (index) {
    var options = this.options();
    this.active = Math.max(-1, Math.min(index, options.length - 1));
    options.forEach(function (li, i) { li.setAttribute("aria-selected", String(i === this.active)); }, this);
    if (this.active >= 0) {
      this.box.setAttribute("aria-activedescendant", options[this.active].id);
      options[this.active].scrollIntoView({ block: "nearest" });
    } else {
      this.box.removeAttribute("aria-activedescendant");
    }
  };

  Chooser.prototype.choose = function (index) {
    var option = this.options()[index];
    if (!option) { return; }
    if (option.hasAttribute("data-more")) { this.fetchPage(this.page + 1); return; }
    var row = this.results[Number(option.getAttribute("data-index"))];
    if (this.root.hasAttribute("data-m2m")) { this.addMember(row); return; }
    this.idInput.value = row.id;
    this.chosenText = row.text;
    this.box.value = row.text;
    if (this.label) { this.label.textContent = row.text; }
    this.close();
    this.idInput.dispatchEvent(new Event("change", { bubbles: true }));
    if (this.submitOnChoose && this.idInput.form) { this.idInput.form.submit(); }
  };

  // Many-to-many: a chosen row becomes one more checked member; the search box empties.
  Chooser.prototype.addMember = function (row) {
    var list = this.root.querySelector(".m2m-members");
    var name = this.root.getAttribute("data-m2m");
    var existing = Array.prototype.find.call(
      list.querySelectorAll("input[type=checkbox]"), function (box) { return box.value === row.id; });
    if (existing) {
      existing.checked = true;
    } else {
      var box = el("input", { type: "checkbox", name: name, value: row.id });
      box.checked = true;
      var label = el("label");
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + row.text));
      var item = el("li");
      item.appendChild(label);
      list.appendChild(item);
    }
    this.box.value = "";
    this.chosenText = "";
    this.close();
    this.status.textContent = row.text + " added";
  };

  Chooser.prototype.close = function () {
    this.list.hidden = true;
    this.box.setAttribute("aria-expanded", "false");
    this.box.removeAttribute("aria-activedescendant");
  };

  Chooser.prototype.onKey = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (open) { this.highlight(this.active + 1); } else { this.fetchPage(1); }
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      this.highlight(this.active - 1);
    } else if (event.key === "Enter" && open) {
      event.preventDefault();  // choosing, not submitting the form
      this.choose(this.active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      this.close();
      this.box.value = this.chosenText;
    }
  };

  Chooser.prototype.onPick = function (event) {
    var option = event.target.closest("[role=option]");
    if (!option) { return; }
    event.preventDefault();  // keep the focus in the box
    this.choose(this.options().indexOf(option));
  };

  Chooser.prototype.onBlur = function () {
    this.close();
    if (this.box.value.trim() === "" && !this.required) {
      this.idInput.value = "";  // emptied on purpose: no related row
      this.chosenText = "";
      if (this.label) { this.label.textContent = ""; }
    } else {
      this.box.value = this.chosenText;
    }
  };

  // Search refused (no permission) or failed: give back the plain id input.
  Chooser.prototype.fallBack = function () {
    this.close();
    this.box.remove();
    this.list.remove();
    this.idInput.hidden = false;
    this.idInput.removeAttribute("aria-hidden");
    if (this.label) { this.label.hidden = false; }
    if (this.idInput.id) {
      var label = document.querySelector("label[for='" + this.box.id + "']");
      if (label) { label.htmlFor = this.idInput.id; }
    }
    this.status.textContent = "Search is not available here; enter the id instead.";
  };

  function init(scope) {
    scope.querySelectorAll("[data-autocomplete-url]").forEach(function (root) {
      if (!root.hasAttribute("data-autocomplete-ready") && root.querySelector("input[type=text]")) {
        root.setAttribute("data-autocomplete-ready", "true");
        new Chooser(root);
      }
    });
  }

  window.shopAutocomplete = { init: init };  // for rows added later (inlines)
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
