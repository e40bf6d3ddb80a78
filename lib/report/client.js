// The report page's script (runs in the browser; lib/report/html.js inlines it after the size
// formatters of lib/format.js and the drawing code of draw.js: lib/report/assets.js). It reads the data block, makes the class tables sortable and
// filterable, and draws the charts as SVG. Every string from a snapshot reaches the page through
// textContent or setAttribute, never through innerHTML.
/* global formatBytes, formatSignedBytes, formatCount, formatSignedCount, formatDistance, formatDuration */
/* global el, svg, title, pct, colorFor, clipText, nodeLabel, chartHost, niceTicks, barChart, stackedBar, lineChart, treemap, STAT_PARTS, PALETTE */

const MODEL = JSON.parse(document.getElementById('heapwise-data').textContent);
const TABLE_LIMIT = 1000;

// ---------------------------------------------------------------------------------------------
// Sortable, filterable table

/**
 * Replaces the static table in `host` (a `.table-wrap`) by one built from `rows`: a filter box
 * above, headers that sort on click (again: reverse), at most TABLE_LIMIT rows shown.
 * columns: [{key, label, num, fmt(row) -> string, cls(row) -> class, pctOf}]
 */
function sortableTable(host, { columns, rows, sortKey, sortDir = 'desc', name = 'classes', total }) {
  let key = sortKey;
  let dir = sortDir;
  let filter = null;
  const input = el('input', { type: 'search', placeholder: `filter ${name}: text or /regex/`, 'aria-label': `filter ${name}` });
  const count = el('span', { class: 'count' });
  host.before(el('div', { class: 'toolbar' }, input, count));
  const table = el('table', { class: 'data sortable' });
  const headRow = el('tr');
  const ths = columns.map((c) => {
    const arrow = el('span', { class: 'arrow' });
    const th = el(
      'th',
      { scope: 'col', 'data-key': c.key },
      el(
        'button',
        {
          type: 'button',
          title: `sort by ${c.label}`,
          onclick: () => {
            if (key === c.key) dir = dir === 'desc' ? 'asc' : 'desc';
            else {
              key = c.key;
              dir = c.num ? 'desc' : 'asc';
            }
            render();
          },
        },
        c.label,
        arrow,
      ),
    );
    th._arrow = arrow;
    headRow.append(th);
    return th;
  });
  const tbody = el('tbody');
  table.append(el('thead', null, headRow), tbody);
  host.replaceChildren(table);

  input.addEventListener('input', () => {
    const q = input.value.trim();
    input.classList.remove('invalid');
    filter = null;
    if (!q) return render();
    const m = /^\/(.+)\/([a-z]*)$/.exec(q);
    if (m) {
      try {
        const re = new RegExp(m[1], m[2]);
        filter = (s) => re.test(s);
      } catch {
        input.classList.add('invalid');
        filter = () => false;
      }
    } else {
      const lower = q.toLowerCase();
      filter = (s) => s.toLowerCase().includes(lower);
    }
    render();
  });

  function render() {
    const col = columns.find((c) => c.key === key) || columns[0];
    const sign = dir === 'desc' ? -1 : 1;
    let list = rows.map((r, i) => [r, i]);
    if (filter) list = list.filter(([r]) => filter(String(r[columns[0].key])));
    list.sort(([a, ia], [b, ib]) => {
      const x = a[col.key],
        y = b[col.key];
      let c;
      if (col.num) c = (x ?? -Infinity) - (y ?? -Infinity);
      else c = String(x).localeCompare(String(y));
      return c * sign || ia - ib;
    });
    const frag = document.createDocumentFragment();
    for (const [r] of list.slice(0, TABLE_LIMIT)) {
      const tr = el('tr');
      for (const c of columns) {
        const td = el('td', { class: c.cls ? c.cls(r) : null, title: c === columns[0] ? String(r[c.key]) : null });
        td.textContent = c.fmt ? c.fmt(r) : String(r[c.key]);
        if (c.pctOf) td.append(el('span', { class: 'pct', text: pct(r[c.key], c.pctOf) }));
        tr.append(td);
      }
      frag.append(tr);
    }
    tbody.replaceChildren(frag);
    for (const th of ths) {
      const on = th.dataset.key === key;
      if (on) th.setAttribute('aria-sort', dir === 'desc' ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
      th._arrow.textContent = on ? (dir === 'desc' ? '\u25bc' : '\u25b2') : '';
    }
    const shown = Math.min(list.length, TABLE_LIMIT);
    count.textContent =
      `${formatCount(shown)} of ${formatCount(list.length)} ${filter ? 'matching ' : ''}rows` +
      (list.length > TABLE_LIMIT ? ` (refine the filter to see the rest)` : '') +
      (total && total > rows.length ? `; the report holds the first ${formatCount(rows.length)} of ${formatCount(total)}` : '');
  }
  render();
}

// ---------------------------------------------------------------------------------------------
// The three kinds of report

function statisticsChart(stats) {
  const host = chartHost('chart-statistics');
  if (!host || !stats) return;
  const parts = STAT_PARTS.map(([k, label, color]) => ({ label, value: stats[k] || 0, color }));
  stackedBar(host, { parts, total: stats.total });
  const bars = el('div', { style: 'margin-top:10px' });
  host.append(bars);
  barChart(bars, {
    bars: parts.map((p) => ({
      ...p,
      tip: `${p.label}: ${formatBytes(p.value)} (${pct(p.value, stats.total)} of ${formatBytes(stats.total)})`,
    })),
    labelWidth: 130,
  });
}

/** The dominator tree of cli.js (lib/report/dominators.js) as treemap nodes. */
function domTreemapNode(n) {
  const kids = (n.children || []).map(domTreemapNode);
  if (n.more && n.more.retainedSize > 0) {
    const label = n.more.count ? `(${formatCount(n.more.count)} smaller)` : '(smaller objects)';
    kids.push({ label, value: n.more.retainedSize, color: '#bab0ac', node: null, more: n.more });
  }
  return { label: nodeLabel(n), value: n.retainedSize, color: colorFor(n.className || n.type), children: kids, node: n };
}

function describeDomNode(total) {
  return (t) => {
    const n = t.node;
    if (!n) return `${t.label}: retained ${formatBytes(t.value)} (${pct(t.value, total)})`;
    const name = n.name && n.name !== n.className ? ` ${JSON.stringify(clipText(n.name, 80))}` : '';
    return `${n.className}${name} @${n.id}  retained ${formatBytes(n.retainedSize)} (${pct(n.retainedSize, total)}), shallow ${formatBytes(n.shallowSize)}, distance ${formatDistance(n.distance)}`;
  };
}

function analyzePage(d) {
  statisticsChart(d.statistics);
  const total = d.totalSize;
  const table = document.getElementById('table-summary');
  if (table) {
    sortableTable(table, {
      rows: d.summary,
      total: MODEL.summaryRows,
      sortKey: 'retainedSize',
      columns: [
        { key: 'name', label: 'Constructor', cls: () => 'name' },
        { key: 'distance', label: 'Distance', num: true, fmt: (r) => formatDistance(r.distance) },
        { key: 'count', label: 'Count', num: true, fmt: (r) => `\u00d7${formatCount(r.count)}` },
        { key: 'shallowSize', label: 'Shallow Size', num: true, fmt: (r) => formatBytes(r.shallowSize), pctOf: total },
        { key: 'retainedSize', label: 'Retained Size', num: true, fmt: (r) => formatBytes(r.retainedSize), pctOf: total },
      ],
    });
  }
  const tm = chartHost('chart-dominators');
  if (tm && d.dominatorTree) treemap(tm, domTreemapNode(d.dominatorTree), { describe: describeDomNode(total) });
}

function comparisonColumns() {
  const signed = (k) => (r) => (r[k] > 0 ? 'pos' : r[k] < 0 ? 'neg' : null);
  return [
    { key: 'name', label: 'Class', cls: () => 'name' },
    { key: 'newCount', label: '# New', num: true, fmt: (r) => formatCount(r.newCount) },
    { key: 'deletedCount', label: '# Deleted', num: true, fmt: (r) => formatCount(r.deletedCount) },
    { key: 'deltaCount', label: '# Delta', num: true, fmt: (r) => formatSignedCount(r.deltaCount), cls: signed('deltaCount') },
    { key: 'allocSize', label: 'Alloc. Size', num: true, fmt: (r) => formatBytes(r.allocSize) },
    { key: 'freedSize', label: 'Freed Size', num: true, fmt: (r) => formatBytes(r.freedSize) },
    { key: 'sizeDelta', label: 'Size Delta', num: true, fmt: (r) => formatSignedBytes(r.sizeDelta), cls: signed('sizeDelta') },
  ];
}

/**
 * The growers as treemap nodes, each under the nearest other grower on its retainer path (the
 * holder whose growth includes it), so that `global` does not hide the objects it holds.
 */
function growerTree(growers) {
  const byId = new Map();
  const nodes = growers.map((g) => {
    const n = {
      label: `${nodeLabel(g.node)} @${g.node.id}`,
      value: g.growth,
      color: colorFor(g.node.className),
      children: [],
      tip: `${nodeLabel(g.node)} @${g.node.id}: retained ${formatBytes(g.retainedBefore)} \u2192 ${formatBytes(g.retainedAfter)} (${formatSignedBytes(g.growth)})`,
    };
    byId.set(g.node.id, n);
    return n;
  });
  const roots = [];
  growers.forEach((g, i) => {
    const steps = g.retainerPath || [];
    let parent = null;
    for (let k = steps.length - 2; k >= 0 && !parent; k--) {
      const p = byId.get(steps[k].node.id);
      if (p && p !== nodes[i]) parent = p;
    }
    (parent ? parent.children : roots).push(nodes[i]);
  });
  return roots;
}

function diffPage(d) {
  const table = document.getElementById('table-comparison');
  if (table) sortableTable(table, { rows: d.classes, total: MODEL.classRows, sortKey: 'sizeDelta', columns: comparisonColumns() });
  const allocTable = document.getElementById('table-allocated');
  if (allocTable) {
    sortableTable(allocTable, {
      rows: d.allocated,
      name: 'allocated classes',
      sortKey: 'retainedSize',
      columns: [
        { key: 'name', label: 'Constructor', cls: () => 'name' },
        { key: 'count', label: 'Count', num: true, fmt: (r) => `\u00d7${formatCount(r.count)}` },
        { key: 'shallowSize', label: 'Shallow Size', num: true, fmt: (r) => formatBytes(r.shallowSize) },
        { key: 'retainedSize', label: 'Retained Size', num: true, fmt: (r) => formatBytes(r.retainedSize) },
      ],
    });
  }
  // size delta per class: the largest movers both ways
  const deltas = document.getElementById('chart-deltas');
  if (deltas) {
    chartHost('chart-deltas');
    const movers = [...d.classes]
      .filter((r) => r.sizeDelta !== 0)
      .sort((a, b) => Math.abs(b.sizeDelta) - Math.abs(a.sizeDelta))
      .slice(0, 15)
      .sort((a, b) => b.sizeDelta - a.sizeDelta);
    barChart(deltas, {
      bars: movers.map((r) => ({
        label: r.name,
        value: r.sizeDelta,
        color: r.sizeDelta > 0 ? '#e15759' : '#59a14f',
        tip: `${r.name}: ${formatSignedBytes(r.sizeDelta)} (${formatSignedCount(r.deltaCount)} objects: ${formatCount(r.newCount)} new, ${formatCount(r.deletedCount)} deleted)`,
      })),
      format: formatSignedBytes,
      labelWidth: 200,
    });
  }
  const tm = chartHost('chart-diff-treemap');
  if (tm) {
    const sets = [
      [
        'allocated',
        'Allocated classes',
        'retained size of the objects allocated between the snapshots, per class',
        d.allocated.map((r) => ({
          label: r.name,
          value: r.retainedSize,
          tip: `${r.name}: \u00d7${formatCount(r.count)} allocated between the snapshots, retaining ${formatBytes(r.retainedSize)} (shallow ${formatBytes(r.shallowSize)})`,
        })),
      ],
      [
        'growers',
        'Growers',
        'growth of the retained size of objects present in both snapshots; a grower on the path of another holds it',
        growerTree(d.growers),
        d.growers.length,
      ],
      [
        'leaks',
        'Leak groups',
        'retained size of the leak groups (final mode)',
        d.leaks.map((g) => ({
          label: g.name,
          value: g.retainedSize,
          tip: `${g.name}: \u00d7${formatCount(g.count)} still alive in final, retaining ${formatBytes(g.retainedSize)}`,
        })),
      ],
    ].filter((x) => x[3].some((n) => n.value > 0));
    if (!sets.length) {
      tm.append(el('div', { class: 'empty', text: 'nothing was allocated, grew or leaked' }));
      return;
    }
    const seg = el('div', { class: 'seg', role: 'group', 'aria-label': 'treemap data' });
    const note = el('span', { class: 'note' });
    const area = el('div');
    tm.append(el('div', { class: 'toolbar' }, seg, note), area);
    const show = (i) => {
      for (const [j, b] of [...seg.children].entries()) b.setAttribute('aria-pressed', String(i === j));
      note.textContent = sets[i][2];
      area.replaceChildren();
      const kids = sets[i][3].filter((n) => n.value > 0);
      const value = kids.reduce((a, n) => a + n.value, 0);
      treemap(
        area,
        { label: sets[i][1], value, children: kids },
        { height: 320, describe: (n) => n.tip || `${n.label}: ${formatBytes(n.value)}` },
      );
    };
    sets.forEach((set, i) =>
      seg.append(
        el('button', { type: 'button', 'data-set': set[0], text: `${set[1]} (${set[4] ?? set[3].length})`, onclick: () => show(i) }),
      ),
    );
    show(0);
  }
}

function watchPage(w) {
  const snaps = w.snapshots || [];
  const samples = w.samples || [];
  const mem = [];
  const sample = (k) => samples.map((s) => [s.time, s[k] === undefined ? null : s[k]]);
  mem.push({ name: 'RSS', color: '#e15759', points: sample('rss') });
  mem.push({ name: 'PSS', color: '#f28e2b', points: sample('pss') });
  mem.push({ name: 'JS heap (snapshot total)', color: '#4e79a7', points: snaps.map((s) => [s.time, s.totalSize]) });
  mem.push({ name: 'heapUsed', color: '#76b7b2', points: sample('heapUsed') });
  mem.push({ name: 'heapTotal', color: '#59a14f', points: sample('heapTotal'), dashed: true });
  mem.push({ name: 'external', color: '#b07aa1', points: sample('external') });
  mem.push({ name: 'arrayBuffers', color: '#9c755f', points: sample('arrayBuffers'), dashed: true });
  const memHost = chartHost('chart-memory');
  if (memHost) lineChart(memHost, { series: mem, height: 280 });

  // the GC floor of each process and isolate (watch --trace-gc, --gc-log)
  (w.gcCharts || []).forEach((c, i) => {
    const host = chartHost(`chart-watch-gc-${i}`);
    if (!host) return;
    lineChart(host, {
      series: [
        { name: `${c.title}: heap after each full GC`, color: '#e15759', points: c.floor },
        { name: 'fitted floor', color: '#e15759', points: c.fit, dashed: true, dots: false },
      ],
      height: 220,
      xFormat: c.timed ? (t) => formatDuration(t) : (n) => `GC ${Math.round(n)}`,
    });
  });

  // the top growing classes, per snapshot: from each snapshot's class list, or from the growth
  // entry's own window where a snapshot's list does not have the class
  const growing = [...(w.growth || [])].sort((a, b) => b.sizeDelta - a.sizeDelta).slice(0, 8);
  // a growth entry's values are of the snapshots it lists (`snapshots`, series indexes), or of
  // the last ones of the series when it has no such list
  const perSnapshot = (g, field, windowField) => {
    const pts = snaps.map((s) => {
      const row = (s.classes || []).find((c) => c.name === g.name);
      return [s.time, row ? row[field] : null];
    });
    const win = g[windowField] || [];
    for (let i = 0; i < win.length; i++) {
      const j = g.snapshots ? snaps.findIndex((s) => s.index === g.snapshots[i]) : pts.length - win.length + i;
      if (j >= 0 && pts[j][1] === null) pts[j][1] = win[i];
    }
    return pts.filter((p) => p[1] !== null);
  };
  const color = (i) => PALETTE[i % PALETTE.length];
  const countHost = chartHost('chart-growth-count');
  if (countHost)
    lineChart(countHost, {
      series: growing.map((g, i) => ({ name: g.name, color: color(i), points: perSnapshot(g, 'count', 'counts') })),
      format: formatCount,
      height: 220,
    });
  const sizeHost = chartHost('chart-growth-size');
  if (sizeHost)
    lineChart(sizeHost, {
      series: growing.map((g, i) => ({ name: g.name, color: color(i), points: perSnapshot(g, 'retainedSize', 'sizes') })),
      height: 220,
    });

  const last = snaps[snaps.length - 1];
  const table = document.getElementById('table-classes');
  if (table && last) {
    const total = last.totalSize;
    sortableTable(table, {
      rows: last.classes || [],
      sortKey: 'retainedSize',
      columns: [
        { key: 'name', label: 'Constructor', cls: () => 'name' },
        { key: 'count', label: 'Count', num: true, fmt: (r) => `\u00d7${formatCount(r.count)}` },
        { key: 'shallowSize', label: 'Shallow Size', num: true, fmt: (r) => formatBytes(r.shallowSize), pctOf: total },
        { key: 'retainedSize', label: 'Retained Size', num: true, fmt: (r) => formatBytes(r.retainedSize), pctOf: total },
      ],
    });
  }
}

/** `heapwise gc`: per process and isolate, the heap after each GC, the floor and its fitted line. */
function gcPage(d) {
  (d.charts || []).forEach((c, i) => {
    const host = chartHost(`chart-gc-${i}`);
    if (!host) return;
    lineChart(host, {
      series: [
        { name: 'heap after each GC', color: '#4e79a7', points: c.after },
        { name: 'after a full GC (the floor)', color: '#e15759', points: c.floor, line: false },
        { name: 'fitted floor', color: '#e15759', points: c.fit, dashed: true, dots: false },
      ],
      height: 300,
      xFormat: c.timed ? (t) => formatDuration(t) : (n) => `GC ${Math.round(n)}`,
    });
  });
}

function main() {
  document.documentElement.classList.add('js');
  for (const n of document.querySelectorAll('.nojs-only')) n.remove();
  if (MODEL.kind === 'analyze') analyzePage(MODEL.data);
  else if (MODEL.kind === 'diff') diffPage(MODEL.data);
  else if (MODEL.kind === 'watch') watchPage(MODEL.data);
  else if (MODEL.kind === 'gc') gcPage(MODEL.data);
  document.body.setAttribute('data-ready', 'true');
}

main();
