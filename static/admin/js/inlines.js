/*
 * "Add another" for inline rows (what Django's inlines.js does, without jQuery).
 *
 * Each inline renders Django's management form, its rows, and a <template class="empty-form">
 * whose names and ids hold "__prefix__". Without this script the page works with the
 * blank `extra` rows the server renders. With it, "Add another" copies the template with
 * the next index and raises TOTAL_FORMS; a row added this way gets a "Remove" button,
 * and removing it renumbers the rows added after it so that the indexes stay 0..n-1.
 */
(function () {
  "use strict";

  var ATTRIBUTES = ["id", "name", "for", "aria-describedby"];

  function renumber(root, prefix, from, to) {
    var pattern = new RegExp("(" + prefix + "-)" + from + "(?=-|$)");
    var nodes = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    nodes.forEach(function (node) {
      ATTRIBUTES.forEach(function (attribute) {
        var value = node.getAttribute && node.getAttribute(attribute);
        if (value && pattern.test(value)) {
          node.setAttribute(attribute, value.replace(pattern, "$1" + to));
        }
      });
    });
  }

  function Formset(group) {
    this.group = group;
    this.prefix = group.getAttribute("data-prefix");
    this.total = group.querySelector("input[name='" + this.prefix + "-TOTAL_FORMS']");
    this.template = group.querySelector("template.empty-form");
    this.container = group.querySelector("tbody") || group.querySelector(".inline-rows");
    this.addRow = group.querySelector(".add-row");
    var max = group.getAttribute("data-max-num");
    this.max = max === null ? null : parseInt(max, 10);
    this.added = [];  // rows this script added, in order
    if (!this.total || !this.template || !this.container || !this.addRow) { return; }
    this.addRow.hidden = false;
    this.addRow.querySelector("button").addEventListener("click", this.add.bind(this));
    this.refresh();
  }

  Formset.prototype.count = function () {
    return parseInt(this.total.value, 10) || 0;
  };

  Formset.prototype.refresh = function () {
    this.addRow.hidden = this.max !== null && this.count() >= this.max;
  };

  Formset.prototype.add = function () {
    var index = this.count();
    var fragment = this.template.content.cloneNode(true);
    var row = fragment.querySelector(".form-row, .inline-related");
    renumber(row, this.prefix, "__prefix__", index);
    var placeholder = this.container.querySelector(".inline-empty");
    if (placeholder) { placeholder.remove(); }
    this.container.appendChild(row);
    this.total.value = String(index + 1);
    this.added.push(row);
    this.addRemoveButton(row);
    this.refresh();
    if (window.shopAutocomplete) { window.shopAutocomplete.init(row); }
    row.dispatchEvent(new CustomEvent("formset:added", {
      bubbles: true, detail: { formsetName: this.prefix }
    }));
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  };

  Formset.prototype.addRemoveButton = function (row) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button inline-deletelink";
    button.textContent = "Remove";
    button.setAttribute("aria-label", "Remove this new " + (this.group.getAttribute("data-verbose-name") || "row"));
    button.addEventListener("click", this.remove.bind(this, row));
    var cell = row.querySelector("td.delete") || row.querySelector("td:last-child") || row.querySelector(".inline-heading");
    (cell || row).appendChild(button);
  };

  Formset.prototype.remove = function (row) {
    var position = this.added.indexOf(row);
    var removedIndex = parseInt(row.id.slice(this.prefix.length + 1), 10);
    row.remove();
    this.added.splice(position, 1);
    var prefix = this.prefix;
    this.added.forEach(function (later) {
      var index = parseInt(later.id.slice(prefix.length + 1), 10);
      if (index > removedIndex) { renumber(later, prefix, String(index), index - 1); }
    });
    this.total.value = String(this.count() - 1);
    this.refresh();
    this.group.dispatchEvent(new CustomEvent("formset:removed", {
      bubbles: true, detail: { formsetName: this.prefix }
    }));
  };

  function init() {
    document.querySelectorAll(".js-inline-admin-formset[data-prefix]").forEach(function (group) {
      new Formset(group);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
