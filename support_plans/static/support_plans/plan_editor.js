// The plan editor: add a goal, item or risk row; fill an item from the supplier directory or an offer.
(function () {
  "use strict";

  function addRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = document.getElementById(prefix + "-empty").innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    var rows = document.getElementById(prefix + "-rows");
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    return rows.lastElementChild;
  }

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  function emptyItemRow() {
    var rows = document.querySelectorAll("#items-rows [data-row]");
    for (var i = 0; i < rows.length; i++) {
      if (!field(rows[i], "description").value && !field(rows[i], "amount").value) {
        return rows[i];
      }
    }
    return addRow("items");
  }

  function fillItem(data) {
    var row = emptyItemRow();
    ["description", "supplier_name", "supplier_id", "amount", "frequency", "category", "payment_method"].forEach(function (name) {
      var input = field(row, name);
      if (input && data[name] !== undefined && data[name] !== "") {
        input.value = data[name];
      }
    });
    var amount = field(row, "amount");
    amount.dispatchEvent(new Event("change", { bubbles: true }));
    field(row, "description").focus();
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var row = addRow(add.getAttribute("data-add-row"));
      var first = row.querySelector("input:not([type=hidden]), textarea, select");
      if (first) { first.focus(); }
      return;
    }
    var pick = event.target.closest("[data-fill-item]");
    if (pick) {
      fillItem(JSON.parse(pick.getAttribute("data-fill-item")));
    }
  });
})();
