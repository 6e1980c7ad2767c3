// The export page's blocked-reason chart. A file of the portal's own, not an inline script: the pages'
// Content-Security-Policy runs no inline script, so markup that slipped past escaping could not run one.
(function () {
  var data = document.getElementById("blocked-data");
  if (!data || !window.Plotly) { return; }
  var blocked = JSON.parse(data.textContent);
  var keys = Object.keys(blocked);
  if (!keys.length) { return; }
  Plotly.newPlot("blocked-chart", [{type: "bar", orientation: "h", y: keys, x: keys.map(function (k) { return blocked[k]; })}],
    {margin: {l: 140, r: 10, t: 10, b: 30}}, {displaylogo: false, responsive: true});
})();
