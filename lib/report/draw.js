// Drawing for heapwise's pages, in the browser: elements built with text only, colours, the bar,
// stacked-bar and line charts and the squarified, zoomable treemap. Both the HTML report
// (lib/report/html.js, before client.js) and the explorer of `heapwise open` (lib/open, before
// page.js) load it after the formatters of lib/format.js: one treemap in the codebase. Every string
// reaches the page through textContent or setAttribute, never through innerHTML.
/* global formatBytes */
// Its functions are used by the scripts loaded after it (client.js, page.js), not here:
/* eslint-disable no-unused-vars */
/* exported el, svg, title, pct, colorFor, lighten, clipText, nodeLabel, chartHost, niceTicks, barChart, stackedBar, timeFormat, lineChart, squarify, treemap, STAT_PARTS, PALETTE */

const SVGNS = 'http://www.w3.org/2000/svg';
/** The parts of DevTools' Statistics: [field, label, colour]. */
const STAT_PARTS = [
  ['code', 'Code', '#4e79a7'],
  ['strings', 'Strings', '#f28e2b'],
  ['jsArrays', 'JS arrays', '#59a14f'],
  ['typedArrays', 'Typed arrays', '#76b7b2'],
  ['system', 'System objects', '#b07aa1'],
  ['otherJsObjects', 'Other JS objects', '#edc948'],
  ['otherNonJsObjects', 'Other native', '#9c755f'],
];

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** An HTML element; `children` are nodes or strings (set as text). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'onclick') e.addEventListener('click', v);
    // through the CSSOM: a style attribute would need 'unsafe-inline' under the explorer's CSP
    else if (k === 'style') e.style.cssText = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** An SVG element; a `text` attribute becomes its text content. */
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

/** An SVG `<title>` (the browser's tooltip), its text set as text. */
function title(text) {
  return svg('title', { text });
}

function pct(v, total) {
  return total > 0 ? `${((100 * v) / total).toFixed(0)} %` : '';
}

/** A stable colour for a name. */
function colorFor(name) {
  let h = 0;
  const s = String(name);
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(h) % PALETTE.length];
}

/** A lighter variant of a #rrggbb colour (mixed with white by `f`). */
function lighten(hex, f) {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c) => Math.round(c + (255 - c) * f);
  const r = mix(n >> 16),
    g = mix((n >> 8) & 255),
    b = mix(n & 255);
  return `rgb(${r},${g},${b})`;
}

function clipText(s, max) {
  s = String(s);
  return s.length > max ? s.slice(0, Math.max(1, max - 1)) + '\u2026' : s;
}

/** How a node reads: a closure as `name()`, a string by its text, anything else by its class. */
function nodeLabel(n) {
  if (!n) return '?';
  if (n.type === 'closure') return `${n.name || '(anonymous)'}()`;
  if (n.type === 'string' || n.type === 'concatenated string' || n.type === 'sliced string') return `"${n.name}"`;
  if (n.type === 'synthetic' || n.className === '(synthetic)') return n.name || '(root)';
  return n.className || n.name || `(${n.type})`;
}

// ---------------------------------------------------------------------------------------------
// Charts

function chartHost(id) {
  const host = document.getElementById(id);
  if (!host) return null;
  host.replaceChildren();
  return host;
}

/** Round numbers for an axis from 0 (or min) to max. */
function niceTicks(min, max, count = 5) {
  if (!(max > min)) max = min + 1;
  const span = max - min;
  const step0 = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
  const ticks = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(v);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/**
 * Horizontal bars: bars = [{label, value, color, tip}]. Negative values grow to the left of a
 * zero line. Bars are `rect.mark`.
 */
function barChart(host, { bars, format = formatBytes, labelWidth = 170 }) {
  if (!bars.length) {
    host.append(el('div', { class: 'empty', text: 'nothing to show' }));
    return;
  }
  const W = Math.max(360, host.clientWidth || 600);
  const rowH = 22;
  const H = bars.length * rowH + 6;
  const valueW = 80;
  const min = Math.min(0, ...bars.map((b) => b.value));
  const max = Math.max(0, ...bars.map((b) => b.value));
  const plotW = W - labelWidth - valueW;
  const x = (v) => labelWidth + ((v - min) / (max - min || 1)) * plotW;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'bar chart', 'data-chart': 'bar' });
  bars.forEach((b, i) => {
    const y = i * rowH + 3;
    s.append(svg('text', { x: labelWidth - 8, y: y + 13, 'text-anchor': 'end', text: clipText(b.label, 28) }, title(b.label)));
    const x0 = x(Math.min(0, b.value)),
      x1 = x(Math.max(0, b.value));
    s.append(
      svg(
        'rect',
        {
          class: 'mark',
          x: x0,
          y,
          width: Math.max(1, x1 - x0),
          height: rowH - 6,
          rx: 2,
          fill: b.color || colorFor(b.label),
        },
        title(b.tip || `${b.label}: ${format(b.value)}`),
      ),
    );
    s.append(svg('text', { x: x1 + 6, y: y + 13, class: 'value', text: format(b.value) }));
  });
  if (min < 0) s.append(svg('line', { x1: x(0), x2: x(0), y1: 0, y2: H, stroke: 'currentColor', 'stroke-opacity': 0.4 }));
  host.append(s);
}

/** A one-line stacked bar of parts [{label, value, color}] with a legend. */
function stackedBar(host, { parts, total, format = formatBytes }) {
  const W = Math.max(360, host.clientWidth || 600);
  const H = 26;
  const s = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'img',
    'aria-label': 'stacked bar',
    'data-chart': 'stacked',
  });
  let x = 0;
  const sum = parts.reduce((a, p) => a + Math.max(0, p.value), 0) || 1;
  for (const p of parts) {
    const w = (Math.max(0, p.value) / sum) * W;
    if (w <= 0) continue;
    s.append(
      svg(
        'rect',
        { class: 'mark', x, y: 0, width: w, height: H, fill: p.color },
        title(`${p.label}: ${format(p.value)} (${pct(p.value, total)})`),
      ),
    );
    x += w;
  }
  host.append(s);
  const legend = el('div', { class: 'legend' });
  for (const p of parts) {
    legend.append(
      el(
        'span',
        null,
        el('span', { class: 'sw', style: `background:${p.color}` }),
        ` ${p.label} `,
        el('b', { text: format(p.value) }),
        el('span', { class: 'muted', text: ` ${pct(p.value, total)}` }),
      ),
    );
  }
  host.append(legend);
}

/** A formatter of clock times fit for a time axis spanning `span` ms. */
function timeFormat(span) {
  const two = (n) => String(n).padStart(2, '0');
  const hm = (d) => `${two(d.getHours())}:${two(d.getMinutes())}`;
  if (span < 10e3)
    return (t) => {
      const d = new Date(t);
      return `${hm(d)}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
    };
  if (span < 3 * 3600e3)
    return (t) => {
      const d = new Date(t);
      return `${hm(d)}:${two(d.getSeconds())}`;
    };
  if (span < 2 * 86400e3) return (t) => hm(new Date(t));
  return (t) => {
    const d = new Date(t);
    return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${hm(d)}`;
  };
}

/**
 * A line chart over time: series = [{name, color, points: [[time, value|null]], dashed, dots,
 * line}]. Each series is a `path.mark` (gaps where a value is null), with dots when it has few
 * points or `dots` is true (never with `dots: false`); a series with `line: false` is its dots only (`circle.dot`, marks on
 * the other lines). The legend toggles series; hovering shows the values at the nearest time.
 * `xFormat` labels the x axis (default: clock times).
 */
function lineChart(host, { series, format = formatBytes, height = 260, xFormat: fixedXFormat }) {
  series = series.filter((s) => s.points.some((p) => p[1] !== null && p[1] !== undefined));
  if (!series.length) {
    host.append(el('div', { class: 'empty', text: 'no data' }));
    return;
  }
  const hidden = new Set();
  const box = el('div', { class: 'chart' });
  const legend = el('div', { class: 'legend' });
  const tip = el('div', { class: 'tip', hidden: true });
  host.append(box, legend);
  box.append(tip);
  for (const s of series) {
    const b = el('button', { type: 'button', 'aria-pressed': 'true' }, el('span', { class: 'sw', style: `background:${s.color}` }), s.name);
    b.addEventListener('click', () => {
      if (hidden.has(s.name)) hidden.delete(s.name);
      else if (hidden.size < series.length - 1) hidden.add(s.name);
      b.setAttribute('aria-pressed', String(!hidden.has(s.name)));
      draw();
    });
    legend.append(b);
  }

  function draw() {
    const W = Math.max(360, host.clientWidth || 700);
    const H = height;
    const m = { l: 72, r: 14, t: 10, b: 26 };
    const shown = series.filter((s) => !hidden.has(s.name));
    const all = shown.flatMap((s) => s.points.filter((p) => p[1] !== null && p[1] !== undefined));
    const times = all.map((p) => p[0]);
    let t0 = Math.min(...times),
      t1 = Math.max(...times);
    if (t1 === t0) {
      t0 -= 1000;
      t1 += 1000;
    }
    const xFormat = fixedXFormat || timeFormat(t1 - t0);
    const vmax = Math.max(...all.map((p) => p[1]));
    const vmin = Math.min(0, ...all.map((p) => p[1]));
    const ticks = niceTicks(vmin, vmax);
    const y0 = ticks[0],
      y1 = ticks[ticks.length - 1];
    const X = (t) => m.l + ((t - t0) / (t1 - t0)) * (W - m.l - m.r);
    const Y = (v) => H - m.b - ((v - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'line chart', 'data-chart': 'line' });
    const grid = svg('g', { class: 'grid axis' });
    for (const v of ticks) {
      grid.append(svg('line', { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v) }));
      grid.append(svg('text', { x: m.l - 6, y: Y(v) + 4, 'text-anchor': 'end', text: format(v) }));
    }
    const labelW = xFormat(t0).length * 6.5 + 28;
    const nx = Math.max(1, Math.min(7, Math.floor((W - m.l - m.r) / labelW)));
    for (let i = 0; i <= nx; i++) {
      const t = t0 + ((t1 - t0) * i) / nx;
      grid.append(svg('text', { x: X(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === nx ? 'end' : 'middle', text: xFormat(t) }));
    }
    s.append(grid);
    for (const se of shown) {
      let d = '';
      let pen = false;
      for (const [t, v] of se.points) {
        if (v === null || v === undefined) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${X(t).toFixed(1)},${Y(v).toFixed(1)}`;
        pen = true;
      }
      if (se.line !== false)
        s.append(
          svg(
            'path',
            {
              class: 'mark line',
              d,
              fill: 'none',
              stroke: se.color,
              'stroke-width': 2,
              'stroke-dasharray': se.dashed ? '5 3' : null,
              'data-series': se.name,
            },
            title(se.name),
          ),
        );
      const pts = se.points.filter((p) => p[1] !== null && p[1] !== undefined);
      if (se.dots !== false && (se.dots || se.line === false || pts.length <= 60)) {
        const r = se.line === false ? 4 : 3;
        for (const [t, v] of pts)
          s.append(
            svg(
              'circle',
              { class: 'dot', cx: X(t), cy: Y(v), r, fill: se.color, 'data-series': se.name },
              title(`${se.name}: ${format(v)}`),
            ),
          );
      }
    }
    const cross = svg('line', { y1: m.t, y2: H - m.b, stroke: 'currentColor', 'stroke-opacity': 0, 'pointer-events': 'none' });
    s.append(cross);
    const overlay = svg('rect', { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b, fill: 'transparent' });
    overlay.addEventListener('mousemove', (ev) => {
      const r = s.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * W;
      const t = t0 + ((px - m.l) / (W - m.l - m.r)) * (t1 - t0);
      cross.setAttribute('x1', px);
      cross.setAttribute('x2', px);
      cross.setAttribute('stroke-opacity', 0.35);
      tip.replaceChildren(el('div', { class: 'muted', text: xFormat(t) }));
      for (const se of shown) {
        let best = null;
        for (const p of se.points)
          if (p[1] !== null && p[1] !== undefined && (!best || Math.abs(p[0] - t) < Math.abs(best[0] - t))) best = p;
        if (best)
          tip.append(
            el(
              'div',
              { class: 'row' },
              el('span', { class: 'sw', style: `background:${se.color};width:10px;height:10px;display:inline-block` }),
              se.name,
              el('span', { class: 'v', text: format(best[1]) }),
            ),
          );
      }
      tip.hidden = false;
      const left = ev.clientX - box.getBoundingClientRect().left + 14;
      tip.style.left = `${Math.min(left, box.clientWidth - 220)}px`;
      tip.style.top = '8px';
    });
    overlay.addEventListener('mouseleave', () => {
      tip.hidden = true;
      cross.setAttribute('stroke-opacity', 0);
    });
    s.append(overlay);
    box.replaceChildren(s, tip);
  }
  draw();
}

/** Squarified treemap layout of items [{value}] in the rectangle; sets item.rect. */
function squarify(items, x, y, w, h) {
  const list = items.filter((i) => i.value > 0).sort((a, b) => b.value - a.value);
  const total = list.reduce((s, i) => s + i.value, 0);
  if (!total || w <= 0 || h <= 0) return;
  const scale = (w * h) / total;
  let rest = list.map((i) => ({ item: i, area: i.value * scale }));
  let rx = x,
    ry = y,
    rw = w,
    rh = h;
  const worst = (row, side) => {
    const sum = row.reduce((s, r) => s + r.area, 0);
    let maxA = 0,
      minA = Infinity;
    for (const r of row) {
      maxA = Math.max(maxA, r.area);
      minA = Math.min(minA, r.area);
    }
    return Math.max((side * side * maxA) / (sum * sum), (sum * sum) / (side * side * minA));
  };
  while (rest.length) {
    const side = Math.min(rw, rh);
    const row = [rest[0]];
    let i = 1;
    while (i < rest.length && worst([...row, rest[i]], side) <= worst(row, side)) row.push(rest[i++]);
    rest = rest.slice(i);
    const sum = row.reduce((s, r) => s + r.area, 0);
    if (rw >= rh) {
      const cw = sum / rh;
      let cy = ry;
      for (const r of row) {
        const ch = r.area / cw;
        r.item.rect = [rx, cy, cw, ch];
        cy += ch;
      }
      rx += cw;
      rw -= cw;
    } else {
      const chh = sum / rw;
      let cx = rx;
      for (const r of row) {
        const cw = r.area / chh;
        r.item.rect = [cx, ry, cw, chh];
        cx += cw;
      }
      ry += chh;
      rh -= chh;
    }
  }
}

/**
 * A zoomable treemap of a tree {label, value, color?, tip, children?}: two levels at a time,
 * click a box to zoom into it, the breadcrumb zooms out. Boxes are `rect.mark`. With `expand`
 * (async node -> children), a box whose children are not known yet asks for them when clicked
 * (the explorer loads the dominator tree a page at a time).
 */
function treemap(host, root, { format = formatBytes, height = 420, describe, expand } = {}) {
  const crumbs = el('div', { class: 'crumbs' });
  const box = el('div', { class: 'chart' });
  const info = el('div', { class: 'hoverinfo' });
  host.append(crumbs, box, info);
  const stack = [root];
  const text = (n) => (describe ? describe(n) : `${n.label}: ${format(n.value)}`);

  function draw() {
    const cur = stack[stack.length - 1];
    crumbs.replaceChildren();
    stack.forEach((n, i) => {
      if (i) crumbs.append(' \u203a ');
      if (i === stack.length - 1) crumbs.append(el('span', { class: 'cur', text: clipText(n.label, 60) }));
      else
        crumbs.append(
          el('button', {
            type: 'button',
            text: clipText(n.label, 40),
            onclick: () => {
              stack.length = i + 1;
              draw();
            },
          }),
        );
    });
    crumbs.append(el('span', { class: 'muted', text: ` \u2014 ${format(cur.value)}` }));
    const W = Math.max(360, box.clientWidth || host.clientWidth || 800);
    const H = height;
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'treemap', 'data-chart': 'treemap' });
    const kids = (cur.children || []).map((c) => ({ node: c, value: c.value }));
    const rest = cur.value - kids.reduce((a, k) => a + k.value, 0);
    if (rest > 0) kids.push({ node: null, value: rest });
    squarify(kids, 0, 0, W, H);
    let marks = 0;
    for (const k of kids) {
      if (!k.node || !k.rect) continue;
      const [x, y, w, h] = k.rect;
      if (w < 1 || h < 1) continue;
      const n = k.node;
      const base = n.color || colorFor(n.label);
      const g = svg('g');
      const rect = svg('rect', { class: 'tm mark', x, y, width: w, height: h, fill: lighten(base, 0.15) }, title(text(n)));
      g.append(rect);
      const hasKids = n.children && n.children.length;
      const headH = hasKids && h > 40 && w > 60 ? 16 : 0;
      if (hasKids && headH) {
        const inner = n.children.map((c) => ({ node: c, value: c.value }));
        const innerRest = n.value - inner.reduce((a, c) => a + c.value, 0);
        if (innerRest > 0) inner.push({ node: null, value: innerRest });
        squarify(inner, x + 2, y + headH, w - 4, h - headH - 2);
        for (const c of inner) {
          if (!c.node || !c.rect) continue;
          const [cx, cy, cw, ch] = c.rect;
          if (cw < 2 || ch < 2) continue;
          const cr = svg(
            'rect',
            { class: 'tm mark child', x: cx, y: cy, width: cw, height: ch, fill: lighten(c.node.color || colorFor(c.node.label), 0.45) },
            title(text(c.node)),
          );
          cr.addEventListener('mouseenter', () => {
            info.textContent = text(c.node);
          });
          cr.addEventListener('click', (ev) => {
            ev.stopPropagation();
            zoom([n, c.node]);
          });
          g.append(cr);
          marks++;
          if (cw > 50 && ch > 14) {
            g.append(
              svg('text', {
                class: 'tm-label small',
                x: cx + 3,
                y: cy + 11,
                text: clipText(`${c.node.label} ${format(c.node.value)}`, Math.floor(cw / 6)),
              }),
            );
          }
        }
      }
      if (w > 40 && h > 14) {
        g.append(
          svg('text', {
            class: 'tm-label',
            x: x + 4,
            y: y + 12,
            'font-weight': 600,
            text: clipText(`${n.label} ${format(n.value)}`, Math.floor(w / 6.5)),
          }),
        );
      }
      rect.addEventListener('mouseenter', () => {
        info.textContent = text(n);
      });
      rect.addEventListener('click', () => zoom([n]));
      s.append(g);
      marks++;
    }
    if (!marks) s.append(svg('text', { x: 10, y: 20, text: 'nothing large enough to draw here' }));
    box.replaceChildren(s);
    info.textContent = cur === root ? 'hover a box for details; click one to zoom in' : text(cur);
  }
  /** Zooms into the last of `path` (children of the current box, outermost first) when it has children. */
  async function zoom(path) {
    const last = path[path.length - 1];
    if (expand && !last.children) last.children = await expand(last);
    if (last.children && last.children.length) stack.push(...path);
    else if (path.length > 1) stack.push(...path.slice(0, -1));
    else return;
    draw();
  }
  draw();
}
