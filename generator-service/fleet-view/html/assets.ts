/**
 * The page's only script and stylesheet, served by the view itself from these strings (the bundle carries
 * them; nothing is fetched from elsewhere, the cluster may be offline). The script is plain JavaScript without
 * a framework: it only enhances the server-rendered page (auto-submitting the sort and page-size choices,
 * keeping ages current, `/` to focus the filter); everything works without it.
 */
export const FLEET_VIEW_JS = `'use strict';
(function () {
  function ageText(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 120) return s + 's';
    if (s < 7200) return Math.round(s / 60) + 'm';
    return Math.round(s / 3600) + 'h';
  }
  function tick() {
    var now = Date.now();
    var cells = document.querySelectorAll('[data-since]');
    for (var i = 0; i < cells.length; i++) {
      var since = Number(cells[i].getAttribute('data-since'));
      if (since > 0) cells[i].textContent = ageText(now - since);
    }
  }
  function start() {
    var selects = document.querySelectorAll('select[data-autosubmit]');
    for (var i = 0; i < selects.length; i++) {
      selects[i].addEventListener('change', function (e) {
        e.target.form.submit();
      });
    }
    document.addEventListener('keydown', function (e) {
      var input = document.getElementById('selector');
      if (e.key === '/' && input && document.activeElement !== input) {
        e.preventDefault();
        input.focus();
      }
    });
    setInterval(tick, 1000);
    document.documentElement.setAttribute('data-ready', 'true');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;

export const FLEET_VIEW_CSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5rem 2rem; color: #222; }
header { display: flex; gap: 1.5rem; align-items: baseline; border-bottom: 1px solid #ddd; }
header .logout { margin-left: auto; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
.summary { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 1rem; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 1rem; min-width: 12rem; }
.card h3 { font-size: 0.95rem; margin: 0.3rem 0; } .card ul { margin: 0; padding-left: 1.1rem; }
.big { font-size: 2rem; margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 2rem; }
.chart figcaption { font-weight: 600; }
.filter { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: center; margin-bottom: 0.6rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #eee; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
th a { color: inherit; }
.labels { max-width: 28rem; }
.label { display: inline-block; background: #eef2f7; border-radius: 3px; padding: 0 0.3rem; margin: 1px; font-size: 12px; }
.muted { color: #888; } .error { color: #b00020; }
.failing td { background: #fdecee; } .stale td.last-error { font-weight: 600; }
.status-ACTIVE { color: #1b7f3b; } .status-FAILED { color: #b00020; } .status-UPDATING { color: #a86b00; }
.reg-registered { color: #1b7f3b; } .reg-foreign, .reg-pending { color: #a86b00; }
.pair { border: 1px solid #ddd; border-radius: 6px; padding: 0.3rem 0.8rem; margin: 0.5rem 0; }
.pair h3 { margin: 0.2rem 0; font-size: 1rem; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.side h4 { margin: 0.2rem 0; text-transform: capitalize; }
.color-blue h4, span.color-blue { color: #1f4fbf; } .color-green h4, span.color-green { color: #1b7f3b; }
.member { margin-bottom: 0.4rem; }
.phase { color: #5a3fb0; }
.pager { margin: 0.5rem 0; }
.login { max-width: 24rem; margin: 4rem auto; display: block; }
.login form { display: flex; flex-direction: column; gap: 0.6rem; }
`;
