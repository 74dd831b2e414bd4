/**
 * The health page's HTML: one self-contained document (inline style, inline
 * SVG, a few lines of inline script), readable without the script: every
 * figure is a row of a table with its value, and on the live page a chart of
 * the last 15 minutes. Colours are the Okabe-Ito palette, distinguishable
 * under the common colour-vision deficiencies
 * (https://jfly.uni-koeln.de/color/), and a threshold crossed is also said in
 * words, never by colour alone. Shared by the live page and `inferometer
 * doctor --report`.
 */
import type { Distribution, Figure, Section, Unit } from './figures.js';

/** What {@link renderHealthPage} draws. */
export interface PageView {
  /** Where the figures come from (the pull endpoint's URL, or the doctor's target). */
  readonly source: string;
  /** When the latest sample was taken, ms since the epoch. */
  readonly at: number;
  readonly figures: readonly Figure[];
  readonly distributions: readonly Distribution[];
  /** The ring buffer's history: sample times and each figure's values, oldest first. Absent: current values only (the doctor's report). */
  readonly history?: { readonly times: readonly number[]; readonly values: (key: string) => readonly number[] | undefined; readonly windowMillis: number };
  /** Seconds between refreshes of the live page (its script fetches the page again); absent: a static report. */
  readonly refreshSeconds?: number;
  /** Sentences shown under the title (how the figures were gathered, what was left out). */
  readonly notes?: readonly string[];
}

/** Okabe-Ito: blue for values, orange for a warning threshold, vermillion for a critical one. */
const PALETTE = { value: '#0072B2', warning: '#E69F00', critical: '#D55E00', bar: '#56B4E9', ink: '#1a1a1a', grid: '#bbbbbb' } as const;

const SECTION_TITLES: Record<Section, string> = {
  traffic: 'Traffic',
  errors: 'Errors',
  latency: 'Latency',
  confidence: 'Confidence',
  drift: 'Drift (score and thresholds)',
  quality: 'Model quality',
  llm: 'LLM tokens and time to first token',
  guard: 'Cardinality guard',
  endpoint: 'Endpoint health',
};
const SECTION_ORDER: readonly Section[] = ['traffic', 'errors', 'latency', 'confidence', 'drift', 'quality', 'llm', 'guard', 'endpoint'];

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:${PALETTE.ink};background:#fff}
header,main{max-width:72rem;margin:0 auto;padding:.5rem 1rem}h1{font-size:1.4rem;margin:.5rem 0}h2{font-size:1.15rem;margin:1.2rem 0 .3rem;border-bottom:2px solid ${PALETTE.value}}
h3{font-size:.95rem;margin:.8rem 0 .2rem;color:#444}.note{color:#444;font-size:.9rem;margin:.2rem 0}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid #e5e5e5;vertical-align:middle;overflow-wrap:anywhere}
thead th:first-child{width:44%}thead th:nth-child(2){width:26%}th[scope=row]{font-weight:normal}td.v{font-variant-numeric:tabular-nums}td.c svg{width:100%;max-width:260px;height:auto;display:block}
.alert{color:${PALETTE.critical};font-weight:600}.warn{color:#8a5a00;font-weight:600}
@media (max-width:40rem){table{table-layout:auto}thead th{width:auto!important}td.c{display:block;border:0;padding-top:0}tr{display:block;border-bottom:1px solid #e5e5e5}th,td{border:0;display:inline-block}}
`;

/** The live page's refresh: fetch the page again and swap its main part; without script the page is simply static. */
const SCRIPT = `(()=>{const m=document.querySelector('main');const s=Number(m&&m.dataset.refresh);if(!(s>0))return;const go=()=>fetch(location.href,{credentials:'same-origin',cache:'no-store'}).then(r=>r.ok?r.text():Promise.reject(r.status)).then(t=>{const d=new DOMParser().parseFromString(t,'text/html');const n=d.querySelector('main');const h=d.querySelector('header');if(n)document.querySelector('main').replaceWith(n);if(h)document.querySelector('header').replaceWith(h);}).catch(()=>{}).finally(()=>setTimeout(go,s*1000));setTimeout(go,s*1000);})();`;

/** The page as one HTML document. */
export function renderHealthPage(view: PageView): string {
  const groups = new Map<string, Figure[]>();
  for (const figure of view.figures) {
    let list = groups.get(figure.group);
    if (list === undefined) groups.set(figure.group, (list = []));
    list.push(figure);
  }
  for (const d of view.distributions) if (!groups.has(d.group)) groups.set(d.group, []);
  const live = view.history !== undefined;
  const samples = view.history?.times.length ?? 1;
  const body: string[] = [];
  if (groups.size === 0) body.push('<p>No Inferometer metrics yet: no model has been called since the process started.</p>');
  let n = 0;
  for (const [group, figures] of groups) {
    const id = `g${n++}`;
    body.push(`<section aria-labelledby="${id}"><h2 id="${id}">${escape(group)}</h2>`);
    for (const section of SECTION_ORDER) {
      const rows = figures.filter((f) => f.section === section);
      const distributions = section === 'confidence' ? view.distributions.filter((d) => d.group === group) : [];
      if (rows.length === 0 && distributions.length === 0) continue;
      body.push(`<h3>${SECTION_TITLES[section]}</h3><table><thead><tr><th scope="col">Figure</th><th scope="col">Now</th>${live ? '<th scope="col">Last 15 minutes</th>' : ''}</tr></thead><tbody>`);
      for (const figure of rows) body.push(row(figure, view));
      for (const d of distributions) body.push(distributionRow(d, live));
      body.push('</tbody></table>');
    }
    body.push('</section>');
  }
  const notes = (view.notes ?? []).map((note) => `<p class="note">${escape(note)}</p>`).join('');
  const refresh = view.refreshSeconds === undefined ? '' : ` data-refresh="${view.refreshSeconds}"`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>Model health: ${escape(view.source)}</title><style>${STYLE}</style></head><body>` +
    `<header><h1>Model health</h1><p class="note">${escape(view.source)} at <time datetime="${new Date(view.at).toISOString()}">${new Date(view.at).toISOString().replace('T', ' ').slice(0, 19)} UTC</time>` +
    `${live ? `, ${samples} sample${samples === 1 ? '' : 's'} over the last ${Math.round(view.history!.windowMillis / 60_000)} minutes` : ', current values only (one scrape)'}.</p>${notes}</header>` +
    `<main data-samples="${samples}" data-at="${view.at}"${refresh}>${body.join('')}</main>` +
    (view.refreshSeconds === undefined ? '' : `<script>${SCRIPT}</script>`) +
    '</body></html>'
  );
}

function row(figure: Figure, view: PageView): string {
  const state = level(figure);
  const said = state === 'critical' ? ' <span class="alert">above critical threshold</span>' : state === 'warning' ? ' <span class="warn">above warning threshold</span>' : '';
  const thresholds = figure.threshold === undefined ? '' : ` <span class="note">(warning ${figure.threshold.warning === undefined ? 'none' : format(figure.threshold.warning, figure.unit)}, critical ${format(figure.threshold.critical, figure.unit)})</span>`;
  const value = figure.value === undefined || Number.isNaN(figure.value) ? '' : ` data-value="${figure.value}"`;
  const chart = view.history === undefined ? '' : `<td class="c">${sparkline(figure, view.history)}</td>`;
  return `<tr data-key="${escape(figure.key)}"><th scope="row">${escape(figure.label)}${thresholds}</th><td class="v"${value}>${format(figure.value, figure.unit)}${said}</td>${chart}</tr>`;
}

function level(figure: Figure): 'critical' | 'warning' | undefined {
  if (figure.threshold === undefined || figure.value === undefined) return undefined;
  if (figure.value > figure.threshold.critical) return 'critical';
  if (figure.threshold.warning !== undefined && figure.value > figure.threshold.warning) return 'warning';
  return undefined;
}

const W = 240;
const H = 48;

/** A line over the window, broken where a sample is missing, with the thresholds as dashed lines. */
function sparkline(figure: Figure, history: NonNullable<PageView['history']>): string {
  const values = history.values(figure.key);
  const label = `${figure.label}, last 15 minutes`;
  if (values === undefined || history.times.length === 0) return `<span class="note">not charted</span>`;
  const end = history.times[history.times.length - 1]!;
  const start = end - history.windowMillis;
  let max = 0;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  if (figure.threshold !== undefined) max = Math.max(max, figure.threshold.critical);
  if (figure.unit === 'ratio' && figure.section !== 'errors') max = Math.max(max, 1);
  max = max > 0 ? max * 1.1 : 1;
  const x = (t: number): string => (((t - start) / history.windowMillis) * W).toFixed(1);
  const y = (v: number): string => (H - 2 - (v / max) * (H - 4)).toFixed(1);
  const lines: string[] = [];
  let points: string[] = [];
  const flush = (): void => {
    if (points.length === 1) lines.push(`<circle cx="${points[0]!.split(',')[0]}" cy="${points[0]!.split(',')[1]}" r="1.5" fill="${PALETTE.value}"/>`);
    else if (points.length > 1) lines.push(`<polyline fill="none" stroke="${PALETTE.value}" stroke-width="1.5" points="${points.join(' ')}"/>`);
    points = [];
  };
  values.forEach((v, i) => {
    if (Number.isFinite(v)) points.push(`${x(history.times[i]!)},${y(v)}`);
    else flush();
  });
  flush();
  const rules: string[] = [];
  if (figure.threshold?.warning !== undefined) rules.push(`<line x1="0" x2="${W}" y1="${y(figure.threshold.warning)}" y2="${y(figure.threshold.warning)}" stroke="${PALETTE.warning}" stroke-dasharray="2 3"/>`);
  if (figure.threshold !== undefined) rules.push(`<line x1="0" x2="${W}" y1="${y(figure.threshold.critical)}" y2="${y(figure.threshold.critical)}" stroke="${PALETTE.critical}" stroke-dasharray="6 3"/>`);
  return (
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escape(label)}"><title>${escape(label)}: 0 to ${format(max, figure.unit)}</title>` +
    `<line x1="0" x2="${W}" y1="${H - 1}" y2="${H - 1}" stroke="${PALETTE.grid}"/>${rules.join('')}${lines.join('')}</svg>`
  );
}

/** Bars of a distribution, its shares also in words. */
function distributionRow(d: Distribution, live: boolean): string {
  if (d.shares.length === 0) return `<tr data-key="${escape(d.key)}"><th scope="row">${escape(d.label)}</th><td class="v">no observations</td>${live ? '<td></td>' : ''}</tr>`;
  const width = W / d.shares.length;
  const bars = d.shares
    .map((share, i) => {
      const h = share * (H - 4);
      return `<rect x="${(i * width + 1).toFixed(1)}" y="${(H - 2 - h).toFixed(1)}" width="${(width - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE.bar}" stroke="${PALETTE.value}" stroke-width=".5"><title>${bucketName(d, i)}: ${percent(share)}</title></rect>`;
    })
    .join('');
  const words = d.shares
    .map((share, i) => ({ share, i }))
    .filter(({ share }) => share > 0)
    .map(({ share, i }) => `${bucketName(d, i)}: ${percent(share)}`)
    .join(', ');
  const svg = `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escape(d.label)}"><line x1="0" x2="${W}" y1="${H - 1}" y2="${H - 1}" stroke="${PALETTE.grid}"/>${bars}</svg>`;
  return `<tr data-key="${escape(d.key)}"><th scope="row">${escape(d.label)}</th><td class="v" style="white-space:normal">${escape(words)}</td>${live ? `<td class="c">${svg}</td>` : `<td class="c">${svg}</td>`}</tr>`;
}

function bucketName(d: Distribution, i: number): string {
  const upper = d.bounds[i]!;
  const lower = i === 0 ? 0 : d.bounds[i - 1]!;
  return upper === Number.POSITIVE_INFINITY ? `above ${lower}` : `${lower} to ${upper}`;
}

/** A value in its unit, for reading. */
export function format(value: number | undefined, unit: Unit): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  switch (unit) {
    case 'per_second':
      return `${significant(value)}/s`;
    case 'ratio':
      return percent(value);
    case 'seconds':
      return value < 1 ? `${significant(value * 1000)} ms` : `${significant(value)} s`;
    case 'bytes':
      return `${significant(value / 1048576)} MiB`;
    case 'score':
      return value.toFixed(3);
    case 'count':
      return Number.isInteger(value) ? value.toLocaleString('en-US') : significant(value);
  }
}

function percent(value: number): string {
  return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`;
}

function significant(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : Number(value.toPrecision(3)).toString();
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
