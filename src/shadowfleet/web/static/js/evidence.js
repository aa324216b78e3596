// Evidence payloads as GeoJSON features for the event map. Detectors record positions either as
// [time, lat, lon] triples or as {ts, lat, lon} objects (spoofing), alone or in lists (see
// docs/methods): every list is drawn as a line, every single position as a point.
(function () {
  "use strict";
  function position(v) {
    if (Array.isArray(v) && v.length === 3 && typeof v[0] === "string" && typeof v[1] === "number" && typeof v[2] === "number") {
      return { time: v[0], lat: v[1], lon: v[2] };
    }
    if (v && typeof v === "object" && !Array.isArray(v) && typeof v.lat === "number" && typeof v.lon === "number") {
      return { time: typeof v.ts === "string" ? v.ts : null, lat: v.lat, lon: v.lon };
    }
    return null;
  }
  function features(value, name, out) {
    var p = position(value);
    if (p) {
      out.push({ type: "Feature", properties: { part: name, time: p.time }, geometry: { type: "Point", coordinates: [p.lon, p.lat] } });
    } else if (Array.isArray(value) && value.length && value.every(function (v) { return position(v) !== null; })) {
      var points = value.map(position);
      if (points.length > 1) {
        out.push({ type: "Feature", properties: { part: name }, geometry: { type: "LineString", coordinates: points.map(function (q) { return [q.lon, q.lat]; }) } });
      }
      out.push({ type: "Feature", properties: { part: name, time: points[0].time }, geometry: { type: "Point", coordinates: [points[0].lon, points[0].lat] } });
    } else if (value && typeof value === "object") {
      Object.keys(value).forEach(function (k) { features(value[k], k, out); });
    }
    return out;
  }
  window.shadowfleetEvidence = { features: features };
})();
