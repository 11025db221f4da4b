/**
 * The fleet page, rendered by the server from one FleetPage: summary, charts, the filterable, sortable,
 * paginated clusters table, blue/green pairs side by side and the discovery targets. Every value is escaped
 * (`esc`); the page loads only its own stylesheet and script (strict CSP, no inline script or style).
 */
import type { SortKey } from '../fleet-model';
import { SORT_KEYS } from '../fleet-model';
import type {
  ClusterRow,
  FleetPage,
  FleetPageParts,
  PairMember,
  PairRow,
  SourceSummary,
  TargetRow,
  UpgradeSummary,
} from '../fleet-page';
import { MAX_LIMIT, queryString, type FleetQuery } from '../fleet-query';
import { barChart } from './charts';
import { esc } from './escape';

/** A page without its cluster rows (they are rendered a slice at a time). */
type PageHead = FleetPageParts['page'];

export const FLEET_PATH = '/fleet';
export const SCRIPT_PATH = '/fleet/assets/fleet-view.js';
export const STYLE_PATH = '/fleet/assets/fleet-view.css';
export const LOGIN_PATH = '/fleet/login';
export const LOGOUT_PATH = '/fleet/logout';

const layoutHead = (title: string) =>
  [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<link rel="stylesheet" href="${STYLE_PATH}">`,
    `<script src="${SCRIPT_PATH}" defer></script>`,
    '</head><body>',
    '',
  ].join('\n');
const LAYOUT_TAIL = '\n</body></html>';

function layout(title: string, body: string): string {
  return layoutHead(title) + body + LAYOUT_TAIL;
}

export function renderLoginPage(message: string | undefined): string {
  return layout(
    'Fleet view: log in',
    [
      '<main class="login"><h1>Fleet view</h1>',
      message === undefined ? '' : `<p class="error" role="alert">${esc(message)}</p>`,
      `<form method="post" action="${LOGIN_PATH}">`,
      '<label for="token">Viewer token</label>',
      '<input id="token" name="token" type="password" autocomplete="current-password" required>',
      '<button type="submit">Log in</button>',
      '</form>',
      '<p class="hint">The viewer token is the one in <code>FLEET_VIEW_TOKEN_FILE</code>, not the generator&#39;s token.</p>',
      '</main>',
    ].join('\n'),
  );
}

/** A page that could not be made (bad filter, no snapshot yet): the form stays so the filter can be fixed. */
export function renderErrorPage(q: FleetQuery | undefined, message: string): string {
  return layout(
    'Fleet view',
    [
      header(undefined),
      filterForm(q),
      `<p class="error" role="alert" id="error">${esc(message)}</p>`,
    ].join('\n'),
  );
}

/** Table rows per chunk of the streamed page (about 25 KiB of HTML). */
export const ROWS_PER_CHUNK = 50;

/**
 * The page in pieces, in order: everything before the clusters' rows, the rows ROWS_PER_CHUNK at a time (each made
 * only when asked for), and the rest. The server writes each piece as it comes and yields between them, so a page is
 * never one large string and a getparams request waits at most for one piece.
 */
export function* fleetPageChunks(parts: FleetPageParts, q: FleetQuery): Generator<string> {
  const page = parts.page;
  yield [
    layoutHead('Fleet view') + header(page),
    summary(page),
    '<section class="charts">',
    barChart(
      'Clusters per Kubernetes version',
      page.summary.byVersion.map((v) => [v.version, v.count] as const),
      'chart-version',
    ),
    barChart(
      'Clusters per environment',
      page.summary.byEnv.map((v) => [v.env, v.count] as const),
      'chart-env',
    ),
    '</section>',
    '<section><h2>Clusters</h2>',
    filterForm(q),
    `${tableHead(q)}\n`,
  ].join('\n');
  for (let i = 0; i < parts.rowCount; i += ROWS_PER_CHUNK) {
    yield `${parts
      .rows(i, i + ROWS_PER_CHUNK)
      .map(clusterRow)
      .join('\n')}\n`;
  }
  yield (
    [
      '</tbody></table>',
      pager(page, parts.rowCount, q),
      '</section>',
      pairsSection(page),
      targetsSection(page),
    ].join('\n') + LAYOUT_TAIL
  );
}

export function renderFleetPage(page: FleetPage, q: FleetQuery): string {
  const parts: FleetPageParts = {
    page,
    rowCount: page.clusters.length,
    rows: (start, end) => page.clusters.slice(start, end),
  };
  return [...fleetPageChunks(parts, q)].join('');
}

function header(page: PageHead | undefined): string {
  const snap =
    page === undefined
      ? ''
      : `<span id="snapshot">snapshot ${page.snapshot.version}, built <span data-since="${Date.parse(page.snapshot.builtAt)}">${esc(age(page.snapshot.ageSeconds))}</span> ago${
          page.snapshot.ready
            ? ''
            : ` — <strong class="error">not serving: ${esc(page.snapshot.notReadyReason)}</strong>`
        }</span>`;
  return [
    '<header><h1>Fleet view</h1>',
    snap,
    `<form method="post" action="${LOGOUT_PATH}" class="logout"><button type="submit">Log out</button></form>`,
    '</header>',
  ].join('\n');
}

function age(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

function sourceText(s: SourceSummary): string {
  if (s.state === 'not-installed')
    return `<span class="muted" title="${esc(s.message)}">not installed</span>`;
  if (s.state === 'unavailable') return `<span class="error">unavailable: ${esc(s.message)}</span>`;
  return '';
}

function summary(page: PageHead): string {
  const s = page.summary;
  const statuses = Object.entries(s.byStatus)
    .map(([k, v]) => `<li>${esc(k)}: <b>${v}</b></li>`)
    .join('');
  const reg = page.sources.registrar;
  const registration =
    s.registration === null
      ? sourceText(reg) || '<span class="muted">not reported (registrar is not the leader)</span>'
      : `<ul><li>registered: <b id="count-registered">${s.registration.registered}</b></li><li>foreign: <b>${s.registration.foreign}</b></li><li>pending: <b>${s.registration.pending}</b></li></ul>${sourceText(reg)}`;
  const upg = page.sources.clusterUpgrades;
  const upgrades =
    s.upgradesInProgress === null
      ? sourceText(upg)
      : `<b id="count-upgrades">${s.upgradesInProgress}</b> ClusterUpgrade(s) ${sourceText(upg)}`;
  return [
    '<section class="summary">',
    `<div class="card"><h3>Clusters served</h3><p class="big" id="count-clusters">${s.clusters}</p><ul>${statuses}</ul></div>`,
    `<div class="card"><h3>Discovery targets</h3><ul><li>listed: <b id="count-targets">${s.targets.listed}</b></li><li>stale: <b id="count-stale">${s.targets.stale}</b></li><li>failing: <b id="count-failing">${s.targets.failing}</b></li></ul></div>`,
    `<div class="card" id="registrar"><h3>Registration</h3>${registration}</div>`,
    `<div class="card" id="upgrades"><h3>Upgrades</h3>${upgrades}</div>`,
    '</section>',
  ].join('\n');
}

function filterForm(q: FleetQuery | undefined): string {
  const option = (value: string, current: string | undefined, label = value) =>
    `<option value="${esc(value)}"${value === current ? ' selected' : ''}>${esc(label)}</option>`;
  const limit = String(q?.limit ?? 100);
  const limits = ['50', '100', '250', '500', String(MAX_LIMIT)];
  return [
    `<form method="get" action="${FLEET_PATH}" class="filter" id="filter">`,
    `<label>Label selector <input id="selector" name="selector" size="50" placeholder="env=prod,team in (payments)" value="${esc(q?.selectorText)}"></label>`,
    `<label>Sort <select name="sort" data-autosubmit>${SORT_KEYS.map((k) => option(k, q?.sort)).join('')}</select></label>`,
    `<label>Order <select name="order" data-autosubmit>${option('asc', q?.order)}${option('desc', q?.order)}</select></label>`,
    `<label>Per page <select name="limit" data-autosubmit>${(limits.includes(limit) ? limits : [...limits, limit]).map((l) => option(l, limit)).join('')}</select></label>`,
    '<button type="submit">Filter</button>',
    '</form>',
  ].join('\n');
}

const COLUMNS: readonly (readonly [string, SortKey | undefined])[] = [
  ['Name', 'name'],
  ['Account', 'account'],
  ['Region', 'region'],
  ['Env', 'env'],
  ['Labels', undefined],
  ['Version', 'version'],
  ['Status', 'status'],
  ['Upgrade (group / color / weight)', 'group'],
  ['Add-on defaults', undefined],
  ['Registered', undefined],
];

function tableHead(q: FleetQuery): string {
  const head = COLUMNS.map(([title, key]) => {
    if (key === undefined) return `<th>${esc(title)}</th>`;
    const active = q.sort === key;
    const order = active && q.order === 'asc' ? 'desc' : 'asc';
    const mark = active ? (q.order === 'asc' ? ' ▲' : ' ▼') : '';
    return `<th><a href="${FLEET_PATH}${esc(queryString(q, { sort: key, order }))}">${esc(title)}${mark}</a></th>`;
  }).join('');
  return `<table id="clusters"><thead><tr>${head}</tr></thead><tbody>`;
}

function clusterRow(c: ClusterRow): string {
  const labels = Object.entries(c.labels)
    .map(([k, v]) => `<span class="label">${esc(k)}=${esc(v)}</span>`)
    .join(' ');
  const upgrade =
    c.upgrade.group === ''
      ? '<span class="muted">—</span>'
      : `${esc(c.upgrade.group)} / <span class="color-${esc(c.upgrade.color)}">${esc(c.upgrade.color || '—')}</span> / ${esc(c.upgrade.weight)}${
          c.upgradeInProgress === null
            ? ''
            : ` <span class="phase">${esc(c.upgradeInProgress.phase ?? 'in progress')}${
                c.upgradeInProgress.step === null
                  ? ''
                  : ` ${esc(stepText(c.upgradeInProgress.step))}`
              }</span>`
        }`;
  const addons =
    c.addonDefaults === null
      ? '<span class="muted">not looked up</span>'
      : Object.entries(c.addonDefaults)
          .map(([k, v]) => `<span class="label">${esc(k)} ${esc(v)}</span>`)
          .join(' ');
  const registered =
    c.registration === null
      ? '<span class="muted">unknown</span>'
      : `<span class="reg-${esc(c.registration)}"${c.registrationReason === null ? '' : ` title="${esc(c.registrationReason)}"`}>${esc(c.registration)}</span>`;
  return [
    `<tr data-cluster="${esc(c.name)}">`,
    `<td>${esc(c.name)}</td>`,
    `<td>${esc(c.accountId)}</td>`,
    `<td>${esc(c.region)}</td>`,
    `<td>${esc(c.env ?? '')}</td>`,
    `<td class="labels">${labels}</td>`,
    `<td>${esc(c.version)}</td>`,
    `<td class="status-${esc(c.status)}">${esc(c.status)}</td>`,
    `<td>${upgrade}</td>`,
    `<td class="labels">${addons}</td>`,
    `<td>${registered}</td>`,
    '</tr>',
  ].join('');
}

function pager(page: FleetPageParts['page'], rowCount: number, q: FleetQuery): string {
  const first = rowCount === 0 ? 0 : page.query.offset + 1;
  const last = page.query.offset + rowCount;
  return [
    '<nav class="pager">',
    `<span id="matched" data-matched="${page.matched}">${first}–${last} of ${page.matched} matching</span>`,
    page.query.offset > 0
      ? ` <a id="first-page" href="${FLEET_PATH}${esc(queryString(q))}">first page</a>`
      : '',
    page.continue === null
      ? ''
      : ` <a id="next-page" href="${FLEET_PATH}${esc(queryString(q, { continue: page.continue }))}">next page</a>`,
    '</nav>',
  ].join('');
}

/** `3/5 (green 25 %)`: the step counted from 1, of how many, and the green weight it asks for. */
function stepText(step: NonNullable<UpgradeSummary['step']>): string {
  return `${step.number}/${step.of ?? '?'}${step.greenWeight === null ? '' : ` (green ${step.greenWeight} %)`}`;
}

const weightsText = (w: NonNullable<UpgradeSummary['weights']>) =>
  `blue ${w.blue} / green ${w.green}`;

/** A pair's ClusterUpgrade: where it stands, the weights written and asked for, where traffic goes, the message. */
function upgradeBlock(u: UpgradeSummary): string {
  const facts = [
    `<b>${esc(u.name)}</b>: <span class="phase">${esc(u.phase ?? '?')}</span>${u.stage === null ? '' : ` (${esc(u.stage)})`}`,
    u.step === null ? '' : `step <span class="step">${esc(stepText(u.step))}</span>`,
    u.weights === null ? '' : `weights <span class="weights">${esc(weightsText(u.weights))}</span>`,
    u.targetWeights === null
      ? ''
      : `target <span class="target-weights">${esc(weightsText(u.targetWeights))}</span>`,
    u.movesTo === null
      ? ''
      : `traffic moves to <span class="moves-to">${esc(u.movesTo.name)}</span>${
          u.movesTo.color === null ? '' : ` (tagged ${esc(u.movesTo.color)})`
        }`,
  ].filter((f) => f !== '');
  return `<div class="upgrade"><p>${facts.join(' · ')}</p>${
    u.message === null ? '' : `<p class="upgrade-message muted">${esc(u.message)}</p>`
  }</div>`;
}

function member(m: PairMember): string {
  return `<div class="member"><b>${esc(m.name)}</b><br>${esc(m.version)} · ${esc(m.status)}<br>weight <b class="weight">${esc(m.weight)}</b></div>`;
}

function pairRow(p: PairRow): string {
  const side = (color: string, members: readonly PairMember[]) =>
    `<div class="side color-${color}"><h4>${color}</h4>${members.length === 0 ? '<span class="muted">none</span>' : members.map(member).join('')}</div>`;
  const upgrade = p.upgradeInProgress === null ? '' : upgradeBlock(p.upgradeInProgress);
  const uncolored =
    p.uncolored.length === 0
      ? ''
      : `<p class="muted">without a color: ${p.uncolored.map((m) => esc(m.name)).join(', ')}</p>`;
  return `<div class="pair" data-group="${esc(p.group)}"><h3>${esc(p.group)}</h3>${upgrade}<div class="sides">${side('blue', p.blue)}${side('green', p.green)}</div>${uncolored}</div>`;
}

function pairsSection(page: PageHead): string {
  const more =
    page.pairsMatched > page.pairs.length
      ? `<p class="muted">${page.pairsMatched - page.pairs.length} more groups (narrow the selector)</p>`
      : '';
  return [
    '<section id="pairs"><h2>Blue/green pairs</h2>',
    page.pairs.length === 0
      ? '<p class="muted">No upgrade groups among the matching clusters.</p>'
      : page.pairs.map(pairRow).join('\n'),
    more,
    '</section>',
  ].join('\n');
}

function targetRow(t: TargetRow): string {
  const since = t.lastSuccessAt === null ? '' : ` data-since="${Date.parse(t.lastSuccessAt)}"`;
  return [
    `<tr data-target="${esc(t.id)}" class="${t.failing ? 'failing' : ''}${t.stale ? ' stale' : ''}">`,
    `<td>${esc(t.id)}</td>`,
    `<td>${esc(t.accountId ?? '')} ${esc(t.region ?? '')}</td>`,
    `<td>${esc(t.lastSuccessAt ?? 'never')}</td>`,
    `<td${since}>${esc(age(t.ageSeconds))}</td>`,
    `<td class="last-error">${esc(t.lastError ?? '')}</td>`,
    `<td>${esc(t.pages ?? '')}</td>`,
    `<td>${esc(t.calls ?? '')}</td>`,
    '</tr>',
  ].join('');
}

function targetsSection(page: PageHead): string {
  return [
    '<section><h2>Discovery targets</h2>',
    '<table id="targets"><thead><tr><th>Target</th><th>Account / region</th><th>Last success</th><th>Age</th><th>Last error</th><th>Pages</th><th>Calls</th></tr></thead><tbody>',
    page.targets.map(targetRow).join('\n'),
    '</tbody></table></section>',
  ].join('\n');
}
