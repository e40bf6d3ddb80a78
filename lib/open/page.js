// The explorer of `heapwise open`, in the browser. The server (lib/open/server.js) serves it after
// the formatters of lib/format.js and the drawing code of lib/report/draw.js (lib/report/assets.js).
// It asks the heapwise process everything through the query layer's API (POST /api/query/NAME,
// with the session's token in a header): each table and tree is a page of an answer, and "more…"
// asks for the next page with the answer's nextCursor. No graph reaches the browser.
//
// The view is in the URL's hash (#summary?filter=Map, #node/h1/123, #comparison, …), so that a
// reload or a link reopens it and the back button goes back. Every string from a snapshot reaches
// the page through textContent (el() and svg() of draw.js), never through innerHTML.
/* global formatBytes, formatSignedBytes, formatCount, formatSignedCount, formatDistance */
/* global el, pct, colorFor, clipText, nodeLabel, barChart, stackedBar, treemap, STAT_PARTS */

const TOKEN = new URLSearchParams(location.search).get('token') || '';
/** Items per page of a table or tree level. */
const PAGE = 25;
const VIEW = document.getElementById('view');

/** The session (GET /api/session), refreshed while loading. */
let session = null;
/** The heap's total size (the percentages' base), read once. */
let heapTotal = 0;
/** Bumped by each render: an answer for an older view is dropped. */
let generation = 0;

// ---------------------------------------------------------------------------------------------
// The API

/** An answer of the query layer; rejects with its `{ code, message }`. */
async function ask(name, params) {
  const res = await fetch(`/api/query/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Heapwise-Token': TOKEN },
    body: JSON.stringify(params),
  });
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(body.error ? body.error.message : res.statusText), body.error || {});
  return body;
}

async function fetchSession() {
  const res = await fetch('/api/session', { headers: { 'X-Heapwise-Token': TOKEN } });
  if (!res.ok) throw new Error(`the heapwise process answered ${res.status}: is this the URL it printed?`);
  return res.json();
}

// ---------------------------------------------------------------------------------------------
// The route: #view/arg/arg?key=value

function route() {
  const hash = location.hash.replace(/^#/, '');
  const q = hash.indexOf('?');
  const parts = (q < 0 ? hash : hash.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || '', args: parts.slice(1), params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

/** A hash for a view: href('node', ['h1', 12]) → `#node/h1/12`. */
function href(name, args = [], params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#${[name, ...args].map((a) => encodeURIComponent(String(a))).join('/')}${qs ? `?${qs}` : ''}`;
}

function go(hash) {
  if (location.hash !== hash) location.hash = hash;
  else render();
}

// ---------------------------------------------------------------------------------------------
// Pieces

function link(text, hash, attrs = {}) {
  return el('a', { href: hash, ...attrs, text });
}

function card(title, ...children) {
  return el('section', { class: 'card' }, el('h2', { text: title }), ...children);
}

function errorBox(e) {
  return el('div', { class: 'error', role: 'alert', text: `${e.code ? `${e.code}: ` : ''}${e.message || String(e)}` });
}

/** A button that copies `text` (navigator.clipboard). */
function copyButton(text) {
  const b = el('button', { type: 'button', class: 'copy', title: `copy ${text}`, text: 'copy' });
  b.addEventListener('click', async (ev) => {
    ev.stopPropagation();
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = 'copied';
    } catch {
      b.textContent = 'copy failed';
    }
    setTimeout(() => (b.textContent = 'copy'), 1500);
  });
  return b;
}

/** A source location as `file:line:column` with a copy button, or null. */
function locationPiece(loc) {
  if (!loc || !loc.at) return null;
  return el('span', null, el('span', { class: 'loc', text: loc.at }), copyButton(loc.at));
}

/** Bytes with their share of the heap. */
function sizeCell(v, total) {
  return el('span', null, formatBytes(v), total ? el('span', { class: 'pct', text: pct(v, total) }) : null);
}

/** An object as DevTools names it: its label, its name when that says more, and @id (a link to it). */
function nodePiece(n, snapshot) {
  const label = nodeLabel(n);
  const isString = /string/.test(n.type);
  const extra = n.name && !isString && n.type !== 'closure' && n.name !== n.className && n.name !== label ? n.name : null;
  return el(
    'span',
    null,
    el('span', { class: isString ? 'str' : 'cls', text: clipText(label, 160) }),
    extra ? el('span', { class: 'muted', text: ` ${clipText(JSON.stringify(extra), 120)}` }) : null,
    el('a', { class: 'id', href: href('node', [snapshot, n.id]), text: `@${n.id}` }),
    n.detached ? el('span', { class: 'tag', text: 'detached' }) : null,
  );
}

/** An edge's name as DevTools writes it: `[3]` for an element, the name otherwise. */
function edgeName(e) {
  return e.edgeType === 'element' || e.edgeType === 'hidden' ? `[${e.edge}]` : String(e.edge);
}

function nodeCells(n, snapshot, first) {
  const total = heapTotal;
  return [first || nodePiece(n, snapshot), formatDistance(n.distance), sizeCell(n.shallowSize, total), sizeCell(n.retainedSize, total)];
}

// ---------------------------------------------------------------------------------------------
// Trees and tables: rows in a <table>, a level of children loaded a page at a time

/**
 * A tree table. `load(cursor)` answers `{ items, nextCursor, total }`; an item is `{ cells,
 * children?, cls? }` where `children` is a load function of its own. Arrow keys move, → or Enter
 * expands (or follows "more…"), ← collapses or goes to the parent.
 */
class TreeTable {
  constructor(host, { columns, load, label, onSort, sort, descending }) {
    this.table = el('table', { class: 'data tree', role: 'treegrid', 'aria-label': label });
    const head = el('tr');
    for (const c of columns) {
      const th = el('th', { scope: 'col' });
      if (c.key && onSort) {
        const active = sort === c.key;
        if (active) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        th.append(
          el(
            'button',
            { type: 'button', onclick: () => onSort(c.key, active ? !descending : c.key !== 'name') },
            c.label,
            el('span', { class: 'arrow', text: active ? (descending ? '\u25bc' : '\u25b2') : '' }),
          ),
        );
      } else th.textContent = c.label;
      head.append(th);
    }
    this.columns = columns;
    this.body = el('tbody');
    this.table.append(el('thead', null, head), this.body);
    this.body.addEventListener('keydown', (e) => this.key(e));
    host.append(el('div', { class: 'tree-wrap' }, this.table));
    const placeholder = this.note('loading\u2026', 1);
    this.body.append(placeholder);
    this.ready = this.fill(placeholder, load, null, 1);
  }

  /** A row of the tree at `level`. */
  row(cells, level, cls) {
    const tr = el('tr', { tabindex: '-1', 'aria-level': level, class: cls || null });
    tr.dataset.level = String(level);
    for (const c of cells) tr.append(el('td', null, c === null || c === undefined ? '' : c));
    for (let i = cells.length; i < this.columns.length; i++) tr.append(el('td'));
    tr.cells[0].style.paddingLeft = `${10 + (level - 1) * 16}px`;
    return tr;
  }

  note(text, level) {
    return this.row([text], level, 'note');
  }

  /** Replaces `placeholder` by a page of `load` at `cursor`, and a "more…" row when there is more. */
  async fill(placeholder, load, cursor, level) {
    let page;
    try {
      page = await load(cursor);
    } catch (e) {
      placeholder.replaceWith(this.note(`${e.code ? `${e.code}: ` : ''}${e.message}`, level));
      return;
    }
    if (!placeholder.isConnected) return;
    const rows = page.items.map((item) => this.itemRow(item, level));
    if (!rows.length && !cursor) rows.push(this.note(page.empty || '(none)', level));
    if (page.nextCursor) {
      const shown = (page.offset || 0) + page.items.length;
      const more = this.row([`more\u2026 (${formatCount(shown)} of ${formatCount(page.total)} shown)`], level, 'more');
      more.activate = () => {
        const next = this.note('loading\u2026', level);
        more.replaceWith(next);
        next.focus();
        return this.fill(next, load, page.nextCursor, level).then(() => {
          const first = rows.length ? rows[rows.length - 1].nextElementSibling : null;
          if (first && document.activeElement === document.body) first.focus();
        });
      };
      more.addEventListener('click', () => more.activate());
      rows.push(more);
    }
    const hadFocus = document.activeElement === placeholder;
    placeholder.replaceWith(...rows);
    if (hadFocus && rows[0]) rows[0].focus();
  }

  itemRow(item, level) {
    const twisty = el('span', { class: 'twisty', 'aria-hidden': 'true', text: item.children ? '\u25b8' : '' });
    const [first, ...rest] = item.cells;
    const tr = this.row([el('span', null, twisty, first), ...rest], level, item.cls);
    if (item.children) {
      tr.setAttribute('aria-expanded', 'false');
      tr.load = item.children;
      twisty.addEventListener('click', () => this.toggle(tr));
      tr.addEventListener('dblclick', () => this.toggle(tr));
    }
    tr.addEventListener('click', () => tr.focus());
    return tr;
  }

  /** The rows under `tr` (shown descendants). */
  descendants(tr) {
    const level = Number(tr.dataset.level);
    const out = [];
    for (let n = tr.nextElementSibling; n && Number(n.dataset.level) > level; n = n.nextElementSibling) out.push(n);
    return out;
  }

  expand(tr) {
    if (!tr.load || tr.getAttribute('aria-expanded') === 'true') return Promise.resolve();
    tr.setAttribute('aria-expanded', 'true');
    tr.querySelector('.twisty').textContent = '\u25be';
    const placeholder = this.note('loading\u2026', Number(tr.dataset.level) + 1);
    tr.after(placeholder);
    return this.fill(placeholder, tr.load, null, Number(tr.dataset.level) + 1);
  }

  collapse(tr) {
    if (tr.getAttribute('aria-expanded') !== 'true') return;
    for (const d of this.descendants(tr)) d.remove();
    tr.setAttribute('aria-expanded', 'false');
    tr.querySelector('.twisty').textContent = '\u25b8';
  }

  toggle(tr) {
    return tr.getAttribute('aria-expanded') === 'true' ? this.collapse(tr) : this.expand(tr);
  }

  key(e) {
    const tr = e.target.closest('tr');
    if (!tr || e.target.closest('a, button, input')) return;
    const level = Number(tr.dataset.level);
    let target = null;
    if (e.key === 'ArrowDown') target = tr.nextElementSibling;
    else if (e.key === 'ArrowUp') target = tr.previousElementSibling;
    else if (e.key === 'Home') target = this.body.firstElementChild;
    else if (e.key === 'End') target = this.body.lastElementChild;
    else if (e.key === 'ArrowRight' || e.key === 'Enter') {
      if (tr.activate) tr.activate();
      else if (tr.getAttribute('aria-expanded') === 'false') this.expand(tr);
      else if (tr.getAttribute('aria-expanded') === 'true') target = tr.nextElementSibling;
      else if (e.key === 'Enter') tr.querySelector('a')?.click();
    } else if (e.key === 'ArrowLeft') {
      if (tr.getAttribute('aria-expanded') === 'true') this.collapse(tr);
      else {
        for (let p = tr.previousElementSibling; p; p = p.previousElementSibling) {
          if (Number(p.dataset.level) < level) {
            target = p;
            break;
          }
        }
      }
    } else return;
    e.preventDefault();
    if (target) target.focus();
  }
}

/** A level of a tree from a paged answer: `map(answer)` gives the items. */
function paged(name, params, items) {
  return async (cursor) => {
    const a = await ask(name, { ...params, limit: PAGE, ...(cursor ? { cursor } : {}) });
    return { items: items(a), nextCursor: a.nextCursor, total: a.total, offset: a.offset };
  };
}

/**
 * The edges of `id` either way, each expandable to its own: `retainers` (DevTools' order,
 * `edge in holder`) or `references` (Containment, `edge :: target`).
 * @param {'retainers' | 'references'} which
 */
function edgesOf(which, snapshot, id) {
  const sep = which === 'retainers' ? ' in ' : ' :: ';
  return paged(which, { snapshot, id }, (a) =>
    a.edges.map((e) => ({
      cells: nodeCells(
        e.node,
        snapshot,
        el(
          'span',
          null,
          el('span', { class: 'edge', text: clipText(edgeName(e), 120) }),
          el('span', { class: 'sep', text: sep }),
          nodePiece(e.node, snapshot),
        ),
      ),
      children: edgesOf(which, snapshot, e.node.id),
    })),
  );
}

const retainersOf = (snapshot, id) => edgesOf('retainers', snapshot, id);
const referencesOf = (snapshot, id) => edgesOf('references', snapshot, id);

/** The objects `id` dominates, largest first, each expandable. */
function dominatedOf(snapshot, id) {
  return paged('dominated', { snapshot, id }, (a) =>
    a.nodes.map((n) => ({ cells: nodeCells(n, snapshot), children: dominatedOf(snapshot, n.id) })),
  );
}

/** An object of a list: expands to two groups, its retainers and its references. */
function objectItem(n, snapshot) {
  return {
    cells: nodeCells(n, snapshot),
    children: async () => ({
      items: [
        { cls: 'group', cells: ['Retainers'], children: retainersOf(snapshot, n.id) },
        { cls: 'group', cells: ['References'], children: referencesOf(snapshot, n.id) },
      ],
      nextCursor: null,
    }),
  };
}

const NODE_COLUMNS = [{ label: 'Object' }, { label: 'Distance' }, { label: 'Shallow Size' }, { label: 'Retained Size' }];

// ---------------------------------------------------------------------------------------------
// Views

const VIEWS = {
  findings: { title: 'Findings', when: () => session.findings, render: findingsView },
  summary: { title: 'Summary', render: summaryView },
  comparison: { title: 'Comparison', when: () => session.baseline, render: comparisonView },
  dominators: { title: 'Dominators', render: dominatorsView },
  statistics: { title: 'Statistics', render: statisticsView },
  strings: { title: 'Strings', render: stringsView },
  external: { title: 'Outside the heap', render: externalView },
  node: { render: nodeView },
  search: { render: searchView },
};

function defaultView() {
  return session.findings ? 'findings' : 'summary';
}

async function summaryView(r, gen) {
  const snapshot = session.target;
  const filter = r.params.get('filter') || '';
  const sort = r.params.get('sort') || 'retainedSize';
  const descending = r.params.get('desc') !== '0';
  const input = el('input', { type: 'search', value: filter, placeholder: 'filter classes by name', 'aria-label': 'filter classes' });
  const form = el('form', { class: 'toolbar' }, input, el('span', { class: 'count', id: 'summary-count' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(href('summary', [], { filter: input.value, sort, desc: descending ? '' : '0' }));
  });
  const host = card('Summary', form);
  VIEW.replaceChildren(host);
  const total = heapTotal;
  const tree = new TreeTable(host, {
    label: 'Summary',
    columns: [
      { key: 'name', label: 'Constructor' },
      { key: 'distance', label: 'Distance' },
      { key: 'count', label: 'Count' },
      { key: 'shallowSize', label: 'Shallow Size' },
      { key: 'retainedSize', label: 'Retained Size' },
    ],
    sort,
    descending,
    onSort: (key, desc) => go(href('summary', [], { filter, sort: key, desc: desc ? '' : '0' })),
    load: async (cursor) => {
      const a = await ask('summary', {
        snapshot,
        filter: filter || undefined,
        sort,
        descending,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      if (gen === generation) document.getElementById('summary-count').textContent = `${formatCount(a.total)} classes`;
      return {
        total: a.total,
        offset: a.offset,
        nextCursor: a.nextCursor,
        empty: 'no class matches',
        items: a.rows.map((row) => ({
          cls: 'class',
          cells: [
            el(
              'span',
              null,
              el('span', { class: 'cls', text: row.name }),
              el('span', { class: 'count', text: `\u00d7${formatCount(row.count)}` }),
            ),
            formatDistance(row.distance),
            formatCount(row.count),
            sizeCell(row.shallowSize, total),
            sizeCell(row.retainedSize, total),
          ],
          children: paged('instances', { snapshot, class: row.key }, (b) =>
            b.nodes.map((n) => {
              const item = objectItem(n, snapshot);
              const [first, distance, shallow, retained] = item.cells;
              item.cells = [first, distance, '', shallow, retained];
              return item;
            }),
          ),
        })),
      };
    },
  });
  await tree.ready;
}

async function nodeView(r, gen) {
  const [snapshot, rawId] = r.args;
  const id = Number(String(rawId).replace(/^@/, ''));
  const x = await ask('explain', { snapshot, id });
  if (gen !== generation) return;
  const n = x.node;
  const head = card(
    `${nodeLabel(n)} @${n.id}`,
    el('p', { class: 'sentence', text: x.sentence }),
    el(
      'div',
      { class: 'facts' },
      fact('class', n.className),
      fact('type', n.type),
      fact('distance', formatDistance(n.distance)),
      fact('shallow size', formatBytes(n.shallowSize)),
      fact('retained size', formatBytes(n.retainedSize)),
    ),
  );
  head.querySelector('h2').classList.add('mono');
  const dl = el('dl', { class: 'props' });
  const row = (k, v) => v && dl.append(el('dt', { text: k }), el('dd', null, v));
  row('created at', locationPiece(x.location) || el('span', { class: 'muted', text: 'unknown' }));
  row('held by', x.heldBy.pathText ? el('span', { class: 'path', text: x.heldBy.pathText }) : null);
  if (n.dominatorId !== n.id) row('dominator', link(`@${n.dominatorId}`, href('node', [snapshot, n.dominatorId])));
  if (x.allocationStack && x.allocationStack.length) {
    row(
      'allocation stack',
      el(
        'ul',
        { class: 'code' },
        ...x.allocationStack.map((f) => el('li', null, `${f.function || '(anonymous)'} `, locationPiece(f.location))),
      ),
    );
  }
  if (x.holds.classes.length) {
    row(
      'holds',
      x.holds.classes
        .slice(0, 5)
        .map((c) => `${formatCount(c.count)} ${c.name} (${formatBytes(c.size)})`)
        .join(', '),
    );
  }
  head.append(dl);
  const retainers = card('Retainers');
  retainers.id = 'retainers';
  const references = card('References');
  const dominated = card('Dominates');
  VIEW.replaceChildren(head, retainers, references, dominated);
  const trees = [
    new TreeTable(retainers, { label: 'Retainers', columns: NODE_COLUMNS, load: retainersOf(snapshot, n.id) }),
    new TreeTable(references, { label: 'References', columns: NODE_COLUMNS, load: referencesOf(snapshot, n.id) }),
    new TreeTable(dominated, { label: 'Dominates', columns: NODE_COLUMNS, load: dominatedOf(snapshot, n.id) }),
  ];
  await Promise.all(trees.map((t) => t.ready));
  if (r.params.get('tree') === 'retainers') {
    retainers.scrollIntoView();
    retainers.querySelector('tbody tr')?.focus();
  }
}

function fact(label, value) {
  return el('div', { class: 'fact' }, el('div', { class: 'v', text: value }), el('div', { class: 'l', text: label }));
}

async function findingsView() {
  const f = session.findings;
  if (f.state !== 'ready') {
    VIEW.replaceChildren(
      card('Findings', f.error ? errorBox(f.error) : progressRow(`computing the findings: ${f.phase || 'waiting'}`, f.progress)),
    );
    return 'pending';
  }
  const snapshot = session.target;
  const host = card(`Findings over ${f.snapshots.length} snapshots`);
  if (!f.findings.length) host.append(el('p', { class: 'muted', text: f.note || 'nothing grows' }));
  const list = el('ol', { class: 'findings' });
  for (const x of f.findings) {
    const h = x.holder;
    const li = el(
      'li',
      { 'data-holder': h.id },
      el(
        'div',
        { class: 'head' },
        x.leak ? el('span', { class: 'leak', text: 'LEAK' }) : null,
        el('span', { class: 'holder', text: h.name }),
        el('span', { class: 'muted', text: ` ${h.kind}${h.scope ? `, ${h.scope}` : ''}` }),
      ),
      el(
        'div',
        { class: 'links' },
        link('retainers tree', href('node', [snapshot, h.id], { tree: 'retainers' }), { class: 'retainers-link' }),
        link('explain', href('node', [snapshot, h.id]), { class: 'explain-link' }),
        link(`@${h.id}`, href('node', [snapshot, h.id])),
      ),
    );
    const dl = el('dl');
    const row = (k, ...v) => dl.append(el('dt', { text: k }), el('dd', null, ...v));
    const g = x.growth;
    row(
      'growth',
      `${formatSignedBytes(g.bytesPerSnapshot)} and ${formatSignedCount(g.membersPerSnapshot)} members per snapshot` +
        ` (retained ${g.retained.map(formatBytes).join(' \u2192 ')}${g.steady ? ', steady' : ''})`,
    );
    if (x.accumulates.length) {
      row(
        'accumulates',
        ...x.accumulates.map((a, i) =>
          el(
            'span',
            null,
            i ? ', ' : '',
            `${formatCount(a.count)} ${a.className} (${formatBytes(a.size)})`,
            a.exampleId ? el('a', { class: 'id', href: href('node', [snapshot, a.exampleId]), text: ` e.g. @${a.exampleId}` }) : null,
          ),
        ),
      );
    }
    if (x.code.length) {
      row(
        'code to change',
        el(
          'ul',
          { class: 'code' },
          ...x.code.map((c) =>
            el(
              'li',
              null,
              el('span', { class: 'muted', text: `${c.role} ` }),
              locationPiece(c.location),
              c.text ? el('code', { text: ` ${c.text}` }) : null,
            ),
          ),
        ),
      );
    }
    if (x.pathText) row('path', el('span', { class: 'path', text: x.pathText }));
    if (x.closure) row('closure', x.closure.message);
    li.append(dl);
    list.append(li);
  }
  host.append(list);
  VIEW.replaceChildren(host);
}

async function comparisonView(r, gen) {
  const d = await ask('diff', { before: session.baseline, after: session.target, limit: 200 });
  if (gen !== generation) return;
  const base = session.files.find((f) => f.snapshot === session.baseline);
  const host = card(
    'Comparison',
    el('p', { class: 'muted', text: `${basename(base.file)} \u2192 ${basename(session.files[session.files.length - 1].file)}` }),
    el(
      'div',
      { class: 'facts' },
      fact('# new', formatCount(d.totals.newCount)),
      fact('# deleted', formatCount(d.totals.deletedCount)),
      fact('# delta', formatSignedCount(d.totals.deltaCount)),
      fact('alloc. size', formatBytes(d.totals.allocSize)),
      fact('freed size', formatBytes(d.totals.freedSize)),
      fact('size delta', formatSignedBytes(d.totals.sizeDelta)),
    ),
  );
  const sort = r.params.get('sort') || 'allocSize';
  const descending = r.params.get('desc') !== '0';
  const rows = [...d.classes.rows].sort((a, b) => {
    const c = sort === 'name' ? String(a.name).localeCompare(String(b.name)) : a[sort] - b[sort];
    return descending ? -c : c;
  });
  VIEW.replaceChildren(host);
  const signed = (v, f) => el('span', { class: v > 0 ? 'pos' : v < 0 ? 'neg' : null, text: f(v) });
  const tree = new TreeTable(host, {
    label: 'Comparison',
    columns: [
      { key: 'name', label: 'Constructor' },
      { key: 'newCount', label: '# New' },
      { key: 'deletedCount', label: '# Deleted' },
      { key: 'deltaCount', label: '# Delta' },
      { key: 'allocSize', label: 'Alloc. Size' },
      { key: 'freedSize', label: 'Freed Size' },
      { key: 'sizeDelta', label: 'Size Delta' },
    ],
    sort,
    descending,
    onSort: (key, desc) => go(href('comparison', [], { sort: key, desc: desc ? '' : '0' })),
    load: async () => ({
      nextCursor: null,
      items: rows.map((row) => ({
        cls: 'class',
        cells: [
          el('span', { class: 'cls', text: row.name }),
          formatCount(row.newCount),
          formatCount(row.deletedCount),
          signed(row.deltaCount, formatSignedCount),
          formatBytes(row.allocSize),
          formatBytes(row.freedSize),
          signed(row.sizeDelta, formatSignedBytes),
        ],
        // as in DevTools: the class's new objects (allocated since the baseline), their size as allocated
        children:
          row.newCount > 0
            ? paged('instances', { snapshot: session.target, class: row.key, newSince: session.baseline }, (b) =>
                b.nodes.map((n) => {
                  const item = objectItem(n, session.target);
                  item.cells = [item.cells[0], '', '', '', formatBytes(n.shallowSize), '', ''];
                  return item;
                }),
              )
            : null,
      })),
    }),
  });
  if (d.classes.total > rows.length)
    host.append(el('p', { class: 'note', text: `the ${rows.length} classes of largest allocation of ${formatCount(d.classes.total)}` }));
  await tree.ready;
}

async function dominatorsView(r, gen) {
  const snapshot = session.target;
  const { rootId } = (await ask('snapshots', {})).snapshots.find((s) => s.snapshot === snapshot);
  const root = (await ask('node', { snapshot, id: rootId })).node;
  if (gen !== generation) return;
  const mapHost = card('Dominator treemap');
  const treeHost = card('Dominator tree');
  VIEW.replaceChildren(mapHost, treeHost);
  const tree = new TreeTable(treeHost, { label: 'Dominator tree', columns: NODE_COLUMNS, load: dominatedOf(snapshot, root.id) });
  const toBox = (n) => ({ label: nodeLabel(n), value: n.retainedSize, color: colorFor(n.className || n.type), node: n });
  /** A box's children: its 40 largest dominated objects and one grey box for the others. */
  const childrenOf = async (box) => {
    if (!box.node) return [];
    const a = await ask('dominated', { snapshot, id: box.node.id, limit: 40 });
    const kids = a.nodes.map(toBox);
    const rest = box.node.retainedSize - box.node.shallowSize - kids.reduce((sum, k) => sum + k.value, 0);
    if (a.total > kids.length && rest > 0) {
      kids.push({ label: `(${formatCount(a.total - kids.length)} smaller)`, value: rest, color: '#bab0ac', node: null, children: [] });
    }
    return kids;
  };
  const top = toBox(root);
  top.label = '(root)';
  top.children = await childrenOf(top);
  await Promise.all(top.children.slice(0, 20).map(async (c) => (c.children = await childrenOf(c))));
  if (gen !== generation) return;
  const total = root.retainedSize;
  const host = el('div', { class: 'chart-host' });
  mapHost.append(host);
  treemap(host, top, {
    expand: childrenOf,
    describe: (b) => `${b.label}${b.node ? ` @${b.node.id}` : ''}: retained ${formatBytes(b.value)} (${pct(b.value, total)})`,
  });
  await tree.ready;
}

async function statisticsView(r, gen) {
  const s = await ask('statistics', { snapshot: session.target });
  if (gen !== generation) return;
  const host = card(
    'Statistics',
    el('p', null, `Total: ${formatBytes(s.total)} (V8 heap ${formatBytes(s.v8Heap)}, native ${formatBytes(s.native)})`),
  );
  VIEW.replaceChildren(host);
  const parts = STAT_PARTS.map(([k, label, color]) => ({ label, value: s[k] || 0, color }));
  const chart = el('div', { class: 'chart' });
  host.append(chart);
  stackedBar(chart, { parts, total: s.total });
  const bars = el('div', { class: 'chart' });
  host.append(bars);
  barChart(bars, { bars: parts, labelWidth: 130 });
  const t = new TreeTable(host, {
    label: 'Statistics',
    columns: [{ label: 'Part' }, { label: 'Size' }, { label: 'Share' }],
    load: async () => ({
      nextCursor: null,
      items: [['Total', s.total], ['V8 heap', s.v8Heap], ['Native', s.native], ...STAT_PARTS.map(([k, label]) => [label, s[k] || 0])].map(
        ([label, v]) => ({ cells: [label, formatBytes(v), pct(v, s.total)] }),
      ),
    }),
  });
  await t.ready;
}

/** A string object with its holder (a link to it) and its retainer path. */
function stringCopyItem(c, snapshot) {
  const held = c.holder
    ? el('span', null, el('span', { class: 'muted', text: ' held by ' }), nodePiece(c.holder, snapshot))
    : el('span', { class: 'muted', text: ' held by a root' });
  return {
    cells: nodeCells(
      c.node,
      snapshot,
      el('span', null, nodePiece(c.node, snapshot), held, el('div', { class: 'path', text: clipText(c.pathText || '', 200) })),
    ),
    children: retainersOf(snapshot, c.node.id),
  };
}

/** Duplicated strings (DevTools' "Duplicated strings", most wasted first) and the largest strings. */
async function stringsView() {
  const snapshot = session.target;
  const dup = card('Duplicated strings');
  const big = card('Largest strings');
  VIEW.replaceChildren(dup, big);
  const groups = new TreeTable(dup, {
    label: 'Duplicated strings',
    columns: [{ label: 'Content' }, { label: 'Copies' }, { label: 'Wasted' }, { label: 'Total' }],
    load: paged('strings', { snapshot, kind: 'duplicated' }, (a) => {
      if (a.offset === 0)
        dup.insertBefore(
          el('p', {
            class: 'note',
            text: `${formatCount(a.total)} contents with copies (${formatCount(a.copies)} copies, ${formatBytes(a.totalSize)}), ${formatBytes(a.wastedSize)} wasted; open a group for its largest copies and who holds them`,
          }),
          dup.children[1] || null,
        );
      return a.groups.map((g) => ({
        cells: [
          el('span', { class: 'str', text: clipText(g.content.preview, 160) }),
          `\u00d7${formatCount(g.copies)}`,
          formatBytes(g.wastedSize),
          formatBytes(g.totalSize),
        ],
        children: async () => ({ items: g.largest.map((c) => stringCopyItem(c, snapshot)), nextCursor: null }),
      }));
    }),
  });
  const largest = new TreeTable(big, {
    label: 'Largest strings',
    columns: NODE_COLUMNS,
    load: paged('strings', { snapshot, kind: 'largest' }, (a) => a.strings.map((x) => stringCopyItem(x, snapshot))),
  });
  await Promise.all([groups.ready, largest.ready]);
}

const EXTERNAL_KINDS = {
  arrayBuffers: 'ArrayBuffer backing stores',
  externalStrings: 'External strings',
  extraNativeBytes: 'Extra native bytes',
  embedder: 'Embedder objects',
  detachedEmbedder: 'Detached embedder objects',
};

/** Memory outside the JS object graph: the kinds, the holders (paged), the embedder classes. */
async function externalView(r, gen) {
  const snapshot = session.target;
  const x = await ask('external', { snapshot, limit: 25 });
  if (gen !== generation) return;
  const rc = x.reconcile;
  const host = card(
    'Outside the JS heap',
    el(
      'p',
      null,
      `Typed arrays ${formatBytes(rc.typedArrays)} = backing stores; other native ${formatBytes(rc.otherNonJsObjects)} = ` +
        `embedder + detached + extra native bytes; external strings are ${formatBytes(rc.externalStringsInStrings)} of strings.`,
    ),
  );
  VIEW.replaceChildren(host);
  const kinds = new TreeTable(host, {
    label: 'Kinds',
    columns: [{ label: 'Kind' }, { label: 'Count' }, { label: 'Size' }],
    load: async () => ({
      nextCursor: null,
      items: x.totals.map((t) => ({
        cells: [EXTERNAL_KINDS[t.kind] || t.kind, t.kind === 'extraNativeBytes' ? '' : formatCount(t.count), formatBytes(t.bytes)],
      })),
    }),
  });
  const holderCell = (h) =>
    h.holder
      ? el(
          'span',
          null,
          `${h.holder.className} `,
          el('a', { class: 'id', href: href('node', [snapshot, h.holder.id]), text: `@${h.holder.id}` }),
        )
      : '(roots only)';
  const holders = new TreeTable(host, {
    label: 'Held by',
    columns: [{ label: 'Held by' }, { label: 'Kind' }, { label: 'Count' }, { label: 'Size' }, { label: 'Path' }],
    load: async (cursor) => {
      const page = cursor ? await ask('external', { snapshot, limit: 25, cursor }) : x;
      return {
        nextCursor: page.nextCursor,
        offset: page.offset,
        total: page.total,
        items: page.holders.map((h) => ({
          cells: [
            holderCell(h),
            EXTERNAL_KINDS[h.kind] || h.kind,
            formatCount(h.count),
            formatBytes(h.bytes),
            h.holder ? h.pathText : `largest at ${h.largest.pathText}`,
          ],
        })),
      };
    },
  });
  const classes = new TreeTable(host, {
    label: 'Embedder classes',
    columns: [{ label: 'Class' }, { label: 'Count' }, { label: 'Size' }, { label: 'Largest at' }],
    load: async () => ({
      nextCursor: null,
      items: x.classes.map((c) => ({
        cells: [c.name, formatCount(c.count), formatBytes(c.bytes), c.largest[0] ? c.largest[0].pathText : ''],
      })),
    }),
  });
  await Promise.all([kinds.ready, holders.ready, classes.ready]);
}

async function searchView(r) {
  const text = r.params.get('q') || '';
  document.getElementById('search').value = text;
  const snapshot = session.target;
  const host = card(`Objects named like ${JSON.stringify(text)}`);
  VIEW.replaceChildren(host);
  const t = new TreeTable(host, {
    label: 'Search results',
    columns: NODE_COLUMNS,
    load: async () => {
      const a = await ask('find', { snapshot, name: text, limit: 200 });
      const items = a.nodes.map((n) => objectItem(n, snapshot));
      return { items, nextCursor: null, empty: 'nothing found' };
    },
  });
  await t.ready;
  const a = host.querySelector('tbody tr a.id');
  if (!a) host.append(el('p', { class: 'note', text: 'no object has this text in its name or class name (the search is case-sensitive)' }));
}

// ---------------------------------------------------------------------------------------------
// Loading, the header, the render loop

function basename(f) {
  return String(f).split(/[\\/]/).pop();
}

function progressRow(label, fraction) {
  return el(
    'div',
    { class: 'progress-list' },
    el('span', { text: label }),
    el('progress', { max: '1', value: String(fraction || 0) }),
    el('span', { class: 'muted', text: `${Math.round((fraction || 0) * 100)} %` }),
  );
}

function loadingView() {
  const list = el('div', { class: 'progress-list' });
  for (const f of session.files) {
    const state = f.state === 'ready' ? 'loaded' : f.state === 'read' ? 'read' : f.state === 'loading' ? f.phase || 'loading' : f.state;
    list.append(
      el('span', { class: 'mono', text: `${f.role === 'target' ? '\u25b6 ' : ''}${basename(f.file)}` }),
      el('progress', { max: '1', value: String(f.progress) }),
      el('span', { class: 'muted', text: state }),
    );
  }
  VIEW.replaceChildren(card('Loading', session.error ? errorBox(session.error) : null, list));
}

function header() {
  const target = session.files[session.files.length - 1];
  document.getElementById('title').textContent = basename(target.file);
  document.title = `heapwise open: ${basename(target.file)}`;
  const base = session.files.filter((f) => f.role === 'baseline').map((f) => basename(f.file));
  document.getElementById('files').textContent = `${target.file}${base.length ? `  (baselines: ${base.join(', ')})` : ''}`;
  const nav = document.getElementById('tabs');
  const current = route().name || defaultView();
  nav.replaceChildren();
  for (const [name, v] of Object.entries(VIEWS)) {
    if (!v.title || (v.when && !v.when())) continue;
    const a = link(v.title, href(name), { 'data-view': name });
    if (name === current) a.setAttribute('aria-current', 'page');
    if (name === 'findings' && session.findings && session.findings.findings) {
      const leaks = session.findings.findings.filter((f) => f.leak).length;
      if (leaks) a.append(el('span', { class: 'badge', text: String(leaks) }));
    }
    nav.append(a);
  }
}

async function render() {
  const gen = ++generation;
  document.body.dataset.ready = 'false';
  if (!session || !session.target) return;
  header();
  const r = route();
  const name = VIEWS[r.name] ? r.name : defaultView();
  if (VIEWS[name].when && !VIEWS[name].when()) return go(href(defaultView()));
  document.body.dataset.view = name;
  try {
    const state = await VIEWS[name].render(r, gen);
    if (gen !== generation) return;
    if (state === 'pending') return;
    document.body.dataset.ready = 'true';
  } catch (e) {
    if (gen !== generation) return;
    VIEW.replaceChildren(errorBox(e));
    document.body.dataset.ready = 'error';
  }
}

/** Polls the session until the target is loaded and the findings are computed (or failed). */
async function poll() {
  let rendered = false;
  for (;;) {
    try {
      session = await fetchSession();
    } catch (e) {
      VIEW.replaceChildren(errorBox(e));
      return;
    }
    if (session.target && !heapTotal) {
      const stats = await ask('statistics', { snapshot: session.target }).catch(() => null);
      heapTotal = stats ? stats.total : 0;
    }
    const pending = session.findings && session.findings.state !== 'ready' && session.findings.state !== 'error';
    if (!session.target) {
      header();
      loadingView();
    } else if (!rendered || (route().name || defaultView()) === 'findings') {
      rendered = true;
      await render();
    } else header();
    if ((session.ready && !pending) || session.error) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function main() {
  window.addEventListener('hashchange', () => render());
  const search = document.getElementById('search');
  document.getElementById('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = search.value.trim();
    if (!text || !session || !session.target) return;
    const id = /^@?(\d+)$/.exec(text);
    go(id ? href('node', [session.target, id[1]]) : href('search', [], { q: text }));
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && !e.target.closest('input, textarea')) {
      e.preventDefault();
      search.focus();
      search.select();
    }
  });
  poll();
}

main();
