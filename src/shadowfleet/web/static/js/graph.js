// The network graph on company, organisation and vessel pages (Cytoscape.js). The same links are
// also written as a list, so the graph is never the only way to read them.
(function () {
  "use strict";
  var el = document.getElementById("graph");
  if (!el) { return; }
  fetch(el.getAttribute("data-graph"), { headers: { Accept: "application/json" } }).then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.json();
  }).then(function (g) {
    var list = document.getElementById("graph-list"), byId = {};
    g.nodes.forEach(function (n) { byId[n.id] = n; });
    g.edges.forEach(function (e) {
      var li = document.createElement("li"), a = byId[e.source], b = byId[e.target];
      [a, " " + e.label + " ", b].forEach(function (part) {
        if (typeof part === "string") { li.appendChild(document.createTextNode(part)); return; }
        var link = document.createElement("a"); link.href = part.url; link.textContent = part.label; li.appendChild(link);
      });
      if (e.start_date || e.end_date) { li.appendChild(document.createTextNode(" (" + (e.start_date || "?") + " – " + (e.end_date || "") + ")")); }
      list.appendChild(li);
    });
    if (typeof cytoscape === "undefined") { return; }
    var elements = g.nodes.map(function (n) {
      return { data: { id: n.id, label: n.label, url: n.url }, classes: [n.schema, n.sanctioned ? "sanctioned" : "", n.center ? "center" : ""].join(" ") };
    }).concat(g.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: e.source, target: e.target, label: e.label } };
    }));
    var cy = cytoscape({ container: el, elements: elements, layout: { name: "cose", animate: false },
      style: [
        { selector: "node", style: { "label": "data(label)", "font-size": 10, "background-color": "#0b5394", "text-wrap": "wrap", "text-max-width": 120 } },
        { selector: "node.sanctioned", style: { "background-color": "#cf222e" } },
        { selector: "node.Sanction", style: { "shape": "diamond", "background-color": "#cf222e" } },
        { selector: "node.Vessel", style: { "shape": "round-rectangle" } },
        { selector: "node.center", style: { "border-width": 3, "border-color": "#f2b400" } },
        { selector: "edge", style: { "label": "data(label)", "font-size": 8, "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.5, "line-color": "#8c959f", "target-arrow-color": "#8c959f" } }
      ] });
    cy.on("tap", "node", function (evt) { window.location.href = evt.target.data("url"); });
    el.setAttribute("data-loaded", String(g.nodes.length));
  }).catch(function (err) { el.setAttribute("data-error", String(err)); });
})();
