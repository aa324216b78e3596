// Speed and draught charts on the vessel dossier (uPlot). Data arrive from map.js (sf:track) and from
// data- attributes rendered by the server.
(function () {
  "use strict";
  if (typeof uPlot === "undefined") { return; }
  function width(el) { return Math.max(280, el.clientWidth || 600); }
  function plot(el, label, times, values, color) {
    var xs = [], ys = [];
    for (var i = 0; i < times.length; i++) {
      if (values[i] === null || values[i] === undefined) { continue; }
      xs.push(Date.parse(times[i]) / 1000); ys.push(values[i]);
    }
    if (!xs.length) { var p = document.createElement("p"); p.className = "muted"; p.textContent = "No " + label.toLowerCase() + " data."; el.appendChild(p); return; }
    new uPlot({ width: width(el), height: 200, series: [{}, { label: label, stroke: color, width: 1.5 }] }, [xs, ys], el);
    el.setAttribute("data-points-drawn", String(xs.length));
  }
  document.addEventListener("sf:track", function (e) {
    var el = document.getElementById("speed-chart");
    if (el) { plot(el, "Speed (kn)", e.detail.times, e.detail.sog_kn, "#0b5394"); }
  });
  var d = document.getElementById("draught-chart");
  if (d) { plot(d, "Draught (m)", JSON.parse(d.getAttribute("data-times") || "[]"), JSON.parse(d.getAttribute("data-points") || "[]"), "#6f42c1"); }
})();
