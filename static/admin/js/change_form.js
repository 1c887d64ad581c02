/* A change page's object actions (the action box, workflow buttons such as "Check out")
 * post their own form: edits typed into the page and not yet saved would be lost. As
 * Django's changelist does for list_editable, ask first when the page has such edits. */
(function () {
  "use strict";

  var WARNING =
    "You have unsaved changes on this page. " +
    "If you run an action, your unsaved changes will be lost.";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  ready(function () {
    var page = document.querySelector("form.change-form");
    if (!page) {
      return;
    }
    var edited = false;
    page.addEventListener("input", function () { edited = true; });
    page.addEventListener("change", function () { edited = true; });
    page.addEventListener("submit", function () { edited = false; });
    var actionForms = document.querySelectorAll("form.object-actions, form.object-action-button");
    Array.prototype.forEach.call(actionForms, function (form) {
      form.addEventListener("submit", function (event) {
        if (edited && !window.confirm(WARNING)) {
          event.preventDefault();
        }
      });
    });
  });
})();
