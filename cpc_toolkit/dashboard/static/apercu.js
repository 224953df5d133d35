/* cpc_toolkit dashboards: draws the static first view (preview.py) with the basic plotly.js bundle.
   Inlined by preview.py into the preheated page; __BUNDLE__ is replaced by the bundle's file name. */
(function () {
  var base = (document.body && document.body.dataset.baseUrl) || '/voila/';
  // parsed with the page (template cpc): leave Voilà's hidden cell area to be seen at once
  var me = document.currentScript, root = me && me.closest('.cpc-apercu');
  var cells = document.getElementById('rendered_cells');
  if (root && cells && cells.contains(root)) { cells.parentNode.insertBefore(root, cells); }
  function draw() {  // one chart per task, so that each one is painted as soon as it is drawn
    var el = document.querySelector('.cpc-apercu-graphique:not([data-drawn])');
    if (!el) { return; }
    el.dataset.drawn = '1';
    var spec = JSON.parse(el.nextElementSibling.textContent);
    window.Plotly.newPlot(el, spec.data, spec.layout, {staticPlot: true, responsive: true,
                                                      displayModeBar: false}).then(function () {
      setTimeout(draw, 0);
    });
  }
  if (window.Plotly) { draw(); return; }
  var s = document.createElement('script');
  s.src = base + 'templates/cpc/static/__BUNDLE__';
  s.onload = draw;
  document.head.appendChild(s);
})();
