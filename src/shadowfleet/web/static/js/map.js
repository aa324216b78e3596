// Maps for the home page, vessel dossiers and event pages. Offline basemap: Natural Earth land and
// country borders (world-atlas TopoJSON) served by this server; online raster tiles only when the
// server is configured with a tile URL. All text from data goes through textContent, never innerHTML.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof maplibregl === "undefined") { return; }
  maplibregl.setWorkerUrl("/static/vendor/maplibre-gl/maplibre-gl-csp-worker.js");

  var ATLAS = "/static/vendor/world-atlas/";
  var SIM_COLOR = "#8a1c00";

  function baseStyle() {
    var style = { version: 8, sources: {}, layers: [
      { id: "sea", type: "background", paint: { "background-color": "#c9dff0" } }
    ] };
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      style.sources.tiles = { type: "raster", tiles: [tiles], tileSize: 256,
        attribution: el.getAttribute("data-tile-attribution") || "" };
      style.layers.push({ id: "tiles", type: "raster", source: "tiles" });
    }
    return style;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function addBasemap(map) {
    if (el.getAttribute("data-tiles")) { return Promise.resolve(); }
    return Promise.all([getJSON(ATLAS + "land-50m.json"), getJSON(ATLAS + "countries-50m.json")]).then(function (res) {
      var land = topojson.feature(res[0], res[0].objects.land);
      var borders = topojson.mesh(res[1], res[1].objects.countries, function (a, b) { return a !== b; });
      map.addSource("land", { type: "geojson", data: land, attribution: "Natural Earth" });
      map.addSource("borders", { type: "geojson", data: borders });
      map.addLayer({ id: "land", type: "fill", source: "land", paint: { "fill-color": "#f2efe6" } });
      map.addLayer({ id: "land-edge", type: "line", source: "land", paint: { "line-color": "#9aa5b1", "line-width": 0.6 } });
      map.addLayer({ id: "borders", type: "line", source: "borders", paint: { "line-color": "#b49a87", "line-width": 0.6, "line-dasharray": [2, 1] } });
    });
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text; return a;
  }

  function popupFor(props, kind) {
    var box = document.createElement("div");
    var title = kind === "event" ? (props.title || props.kind) : (props.name || ("MMSI " + props.mmsi));
    var href = kind === "event" ? props.url : "/vessels/" + props.mmsi;
    box.appendChild(link(href, title));
    if (props.simulated === true || props.simulated === "true") {
      var s = document.createElement("span"); s.className = "sim"; s.textContent = "SIMULATED";
      box.appendChild(document.createTextNode(" ")); box.appendChild(s);
    }
    var p = document.createElement("div");
    p.textContent = kind === "event" ? ((props.start_ts || "") + " → " + (props.end_ts || "")) :
      ("MMSI " + props.mmsi + (props.last_ts ? " · " + props.last_ts : ""));
    box.appendChild(p);
    return box;
  }

  function clickable(map, layer, kind) {
    map.on("click", layer, function (e) {
      var f = e.features && e.features[0];
      if (!f) { return; }
      new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(popupFor(f.properties, kind)).addTo(map);
    });
    map.on("mouseenter", layer, function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, function () { map.getCanvas().style.cursor = ""; });
  }

  function pointLayer(map, id, data, color, radius, kind) {
    map.addSource(id, { type: "geojson", data: data });
    map.addLayer({ id: id, type: "circle", source: id, paint: {
      "circle-radius": radius,
      "circle-color": ["case", ["==", ["get", "simulated"], true], "#ffffff", color],
      "circle-stroke-color": ["case", ["==", ["get", "simulated"], true], SIM_COLOR, "#ffffff"],
      "circle-stroke-width": 1.5 } });
    clickable(map, id, kind);
  }

  function extend(bounds, coords) {
    coords.forEach(function (c) { if (c && c[0] !== null && c[1] !== null) { bounds.extend(c); } });
  }

  function fit(map, bounds) {
    if (!bounds.isEmpty()) { map.fitBounds(bounds, { padding: 40, maxZoom: 9, duration: 0 }); }
  }

  function eventPoints(fc) {
    fc.features = fc.features.filter(function (f) { return f.geometry; });
    return fc;
  }

  function homePage(map) {
    return Promise.all([getJSON(el.getAttribute("data-latest")), getJSON(el.getAttribute("data-events"))]).then(function (res) {
      pointLayer(map, "latest", res[0], "#0b5394", 3.5, "vessel");
      map.addLayer({ id: "watched", type: "circle", source: "latest", filter: ["==", ["get", "watched"], true],
        paint: { "circle-radius": 8, "circle-color": "#f2b400", "circle-stroke-color": "#1b1f24", "circle-stroke-width": 2 } });
      clickable(map, "watched", "vessel");
      pointLayer(map, "events", eventPoints(res[1]), "#d93f0b", 6, "event");
      var b = new maplibregl.LngLatBounds();
      extend(b, res[1].features.map(function (f) { return f.geometry.coordinates; }));
      if (b.isEmpty()) { extend(b, res[0].features.map(function (f) { return f.geometry.coordinates; })); }
      fit(map, b);
      el.setAttribute("data-loaded", String(res[0].features.length));
    });
  }

  function trackLayer(map, id, fc, color) {
    map.addSource(id, { type: "geojson", data: fc });
    map.addLayer({ id: id, type: "line", source: id, paint: { "line-color": color, "line-width": 2 } });
  }

  function vesselPage(map) {
    return Promise.all([getJSON(el.getAttribute("data-track")), getJSON(el.getAttribute("data-events"))]).then(function (res) {
      var track = res[0].features[0];
      var coords = track.geometry.coordinates, times = track.properties.times;
      var shown = { type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: coords } }] };
      trackLayer(map, "track", shown, track.properties.simulated ? SIM_COLOR : "#0b5394");
      map.addSource("here", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      map.addLayer({ id: "here", type: "circle", source: "here", paint: { "circle-radius": 6, "circle-color": "#f2b400", "circle-stroke-color": "#000", "circle-stroke-width": 1 } });
      pointLayer(map, "events", eventPoints(res[1]), "#d93f0b", 6, "event");
      var b = new maplibregl.LngLatBounds(); extend(b, coords); fit(map, b);
      var slider = document.getElementById("time-slider"), label = document.getElementById("time-label");
      function show(value) {
        var n = Math.max(1, Math.round(coords.length * value / 1000));
        map.getSource("track").setData({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: coords.slice(0, n) } }] });
        var last = coords[n - 1];
        map.getSource("here").setData({ type: "FeatureCollection", features: last ? [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: last } }] : [] });
        if (label) { label.textContent = times[n - 1] ? times[n - 1].replace("T", " ").replace("Z", " UTC") : "no positions"; }
      }
      if (slider && coords.length) { slider.addEventListener("input", function () { show(Number(slider.value)); }); show(1000); }
      el.setAttribute("data-loaded", String(coords.length));
      document.dispatchEvent(new CustomEvent("sf:track", { detail: track.properties }));
    });
  }

  function eventPage(map) {
    return getJSON(el.getAttribute("data-event")).then(function (ev) {
      var pad = 6 * 3600 * 1000;
      var start = new Date(Date.parse(ev.start_ts) - pad).toISOString();
      var end = new Date(Date.parse(ev.end_ts) + pad).toISOString();
      var ids = [ev.mmsi]; if (ev.other_mmsi) { ids.push(ev.other_mmsi); }
      return Promise.all(ids.map(function (m) {
        return getJSON("/api/v1/vessels/" + m + "/track?start=" + encodeURIComponent(start) + "&end=" + encodeURIComponent(end)).catch(function () { return null; });
      })).then(function (tracks) {
        var b = new maplibregl.LngLatBounds();
        var colors = ["#0b5394", "#6f42c1"];
        tracks.forEach(function (fc, i) {
          if (!fc) { return; }
          trackLayer(map, "track" + i, fc, colors[i]);
          extend(b, fc.features[0].geometry.coordinates);
        });
        var evidence = { type: "FeatureCollection", features: window.shadowfleetEvidence.features(ev.evidence, "evidence", []) };
        map.addSource("evidence", { type: "geojson", data: evidence });
        map.addLayer({ id: "evidence-line", type: "line", source: "evidence", filter: ["==", ["geometry-type"], "LineString"], paint: { "line-color": "#d93f0b", "line-width": 3, "line-dasharray": [2, 1] } });
        map.addLayer({ id: "evidence-point", type: "circle", source: "evidence", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-radius": 4, "circle-color": "#d93f0b" } });
        evidence.features.forEach(function (f) { extend(b, f.geometry.type === "Point" ? [f.geometry.coordinates] : f.geometry.coordinates); });
        el.setAttribute("data-evidence", String(evidence.features.length));
        if (ev.lat !== null && ev.lon !== null) {
          pointLayer(map, "event", { type: "FeatureCollection", features: [{ type: "Feature", properties: ev, geometry: { type: "Point", coordinates: [ev.lon, ev.lat] } }] }, "#d93f0b", 8, "event");
          b.extend([ev.lon, ev.lat]);
        }
        fit(map, b);
        el.setAttribute("data-loaded", String(tracks.filter(Boolean).length));
      });
    });
  }

  var map = new maplibregl.Map({ container: el, style: baseStyle(), center: [-66, 11], zoom: 3, attributionControl: { compact: false } });
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  map.on("load", function () {
    addBasemap(map).then(function () {
      if (el.hasAttribute("data-latest")) { return homePage(map); }
      if (el.hasAttribute("data-track")) { return vesselPage(map); }
      if (el.hasAttribute("data-event")) { return eventPage(map); }
    }).then(function () {
      map.once("idle", function () { el.setAttribute("data-idle", "1"); });
    }).catch(function (err) {
      el.setAttribute("data-error", String(err));
      var note = document.createElement("p"); note.className = "error-msg"; note.textContent = "The map could not load: " + err.message;
      el.parentNode.insertBefore(note, el.nextSibling);
    });
  });
})();
