// Landing page map: one circle per province, its area proportional to the province's activities.
// Leaflet is datasette-leaflet's ES module (served locally, URL in data-leaflet); without network
// access the background tiles are missing but the circles still show.
(function () {
  const element = document.getElementById("province-map");
  const data = document.getElementById("province-map-data");
  if (!element || !data) { return; }
  import(element.dataset.leaflet).then((module) => draw(module.default || module, element, data));
})();

function draw(L, element, data) {
  const points = JSON.parse(data.textContent);
  if (!points.length) { element.textContent = "No located activities yet."; return; }
  const map = L.map(element, { scrollWheelZoom: false });
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 12, attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
  }).addTo(map);
  const peak = Math.max(...points.map((p) => p.events));
  const layer = L.featureGroup();
  const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"}[c]));
  points.forEach((p) => {
    L.circleMarker([p.lat, p.lon], { radius: 4 + 16 * Math.sqrt(p.events / peak), weight: 1, color: "#1d4f85", fillColor: "#3b6ea5", fillOpacity: 0.6 })
      .bindPopup('<a href="' + escape(p.href) + '">' + escape(p.name) + "</a><br>" + p.events + " activities" +
                 (p.participants ? ", " + p.participants + " participants" : ""))
      .addTo(layer);
  });
  layer.addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12], maxZoom: 8 });
}
