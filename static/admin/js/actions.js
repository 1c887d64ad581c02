/* The changelist's action bar: select all, the "N of M selected" counter, and
 * "Select all N" across pages (Django admin's actions.js, in plain JavaScript).
 *
 * Without this script the page still works: every row has its own checkbox and the
 * bar shows a plain "select all that match" checkbox instead of the counter.
 */
(function () {
  "use strict";

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function show(elements, visible) {
    elements.forEach(function (element) {
      element.hidden = !visible;
    });
  }

  function init(form) {
    var boxes = all(form, "input.action-select");
    var toggle = form.querySelector("#action-toggle");
    var counters = all(form, ".actions .action-counter");
    var questions = all(form, ".actions .question");
    var acrossNotes = all(form, ".actions .all");
    var clears = all(form, ".actions .clear");
    var acrossInputs = all(form, "input.select-across[type=checkbox]");
    var lastChecked = null;
    var editsMade = false;

    if (toggle) {
      toggle.hidden = false;
    }
    show(counters, true);
    if (questions.length) {
      // The links below replace the plain checkbox the page offers without JavaScript.
      show(all(form, ".select-across-choice"), false);
    }

    function checkedCount() {
      return boxes.filter(function (box) { return box.checked; }).length;
    }

    function setAcross(on) {
      acrossInputs.forEach(function (input) { input.checked = on; });
      show(acrossNotes, on);
      show(clears, on);
      show(counters, !on);
      if (on) {
        show(questions, false);
      }
    }

    function update() {
      var count = checkedCount();
      counters.forEach(function (counter) {
        counter.textContent = count + " of " + boxes.length + " selected";
      });
      boxes.forEach(function (box) {
        var row = box.closest("tr");
        if (row) {
          row.classList.toggle("selected", box.checked);
        }
      });
      if (toggle) {
        toggle.checked = count === boxes.length && count > 0;
      }
      var everyRow = count === boxes.length && count > 0;
      var across = acrossInputs.some(function (input) { return input.checked; });
      if (!everyRow && across) {
        setAcross(false);
      }
      show(questions, everyRow && !across);
    }

    function checkRange(from, to, checked) {
      var start = Math.min(from, to);
      var end = Math.max(from, to);
      for (var index = start; index <= end; index += 1) {
        boxes[index].checked = checked;
      }
    }

    boxes.forEach(function (box, index) {
      box.addEventListener("click", function (event) {
        if (event.shiftKey && lastChecked !== null) {
          checkRange(lastChecked, index, box.checked);
        }
        lastChecked = index;
        update();
      });
    });

    if (toggle) {
      toggle.addEventListener("click", function () {
        boxes.forEach(function (box) { box.checked = toggle.checked; });
        update();
      });
    }

    questions.forEach(function (question) {
      question.addEventListener("click", function (event) {
        event.preventDefault();
        setAcross(true);
      });
    });

    clears.forEach(function (clear) {
      clear.addEventListener("click", function (event) {
        event.preventDefault();
        boxes.forEach(function (box) { box.checked = false; });
        setAcross(false);
        update();
      });
    });

    all(form, "td.editable input, td.editable select, td.editable textarea").forEach(
      function (input) {
        input.addEventListener("change", function () { editsMade = true; });
      }
    );

    all(form, ".actions button[name=index]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (editsMade && !window.confirm(
          "You have unsaved changes on individual editable fields. " +
          "If you run an action, your unsaved changes will be lost."
        )) {
          event.preventDefault();
        }
      });
    });

    update();
  }

  function start() {
    var form = document.getElementById("changelist-form");
    if (form && form.querySelector(".actions")) {
      init(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
