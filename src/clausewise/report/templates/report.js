// Filters and sorting for the findings table. The state lives in the URL
// fragment (#severity=high&sort=clause&desc=1), so a view can be shared as a
// link; without JavaScript the table simply shows every finding.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (table) wire(table, document.getElementById("filters"));
  clausewiseMark();
  document.body.setAttribute("data-js-ready", "1");

  function wire(table, form) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var fields = Array.prototype.map.call(form.querySelectorAll("select"), function (s) { return s.name; });
    var shown = document.getElementById("shown");
    var collator = new Intl.Collator(document.documentElement.lang, {numeric: true});
    var sorting = {key: "", desc: false};

    function filter() {
      var q = form.elements.q.value.trim().toLowerCase();
      var n = 0;
      rows.forEach(function (row, i) {
        var ok = texts[i].indexOf(q) >= 0 && fields.every(function (name) {
          var wanted = form.elements[name].value;
          return !wanted || row.getAttribute("data-" + name) === wanted;
        });
        row.hidden = !ok;
        if (ok) n += 1;
      });
      shown.textContent = shown.getAttribute("data-template").replace("{shown}", n).replace("{total}", rows.length);
      document.getElementById("no-match").hidden = n > 0;
    }

    function key(cell) {
      var summary = cell.querySelector("summary");
      return cell.getAttribute("data-k") || (summary || cell).textContent.trim();
    }

    function sort(name, desc) {
      var header = table.querySelector('th[data-key="' + name + '"]');
      if (!header) return;
      var index = header.cellIndex;
      var ordered = rows.slice().sort(function (a, b) {
        return collator.compare(key(a.cells[index]), key(b.cells[index])) * (desc ? -1 : 1);
      });
      ordered.forEach(function (row) { body.appendChild(row); });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.setAttribute("aria-sort", "none"); });
      header.setAttribute("aria-sort", desc ? "descending" : "ascending");
      sorting = {key: name, desc: desc};
    }

    function save() {
      var state = new URLSearchParams();
      ["q"].concat(fields).forEach(function (name) {
        if (form.elements[name].value) state.set(name, form.elements[name].value);
      });
      if (sorting.key) state.set("sort", sorting.key);
      if (sorting.desc) state.set("desc", "1");
      history.replaceState(null, "", "#" + state.toString());
    }

    function restore() {
      var state = new URLSearchParams(location.hash.slice(1));
      ["q"].concat(fields).forEach(function (name) { form.elements[name].value = state.get(name) || ""; });
      if (state.get("sort")) sort(state.get("sort"), state.get("desc") === "1");
    }

    form.addEventListener("input", function () { filter(); save(); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.querySelector("button").addEventListener("click", function () {
        var name = th.getAttribute("data-key");
        sort(name, sorting.key === name && !sorting.desc);
        save();
      });
    });
    form.hidden = false;
    restore();
    filter();
  }
})();
