// Small SVG charts without any library: a line chart and a grouped bar chart with axes, labels and a legend. Each chart is
// an <svg role="img"> named by aria-label, with a <title> per point for pointer users and the same figures in a visually
// hidden table for screen readers. Colours are presentation attributes (the CSP forbids style attributes); the legend's
// swatches are set through the CSSOM, which the CSP allows.
import { h } from './ui.js';
import { fmtNumber } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Distinguishable colours (also for colour-blind readers: blue, orange, teal, purple, grey). */
export const palette = ['#1f4e8c', '#d9822b', '#2a9d8f', '#7b4fa0', '#6b7280'];

const size = { width: 640, height: 260, top: 16, right: 32, bottom: 44, left: 56 };

function s(tag, attrs, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== undefined && value !== null) element.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// A "nice" upper bound for the y axis and its step: 1, 2 or 5 times a power of ten.
// Counts (every value whole) get whole steps: no "0.5 deliveries".
function niceScale(max, whole, ticks = 4) {
  if (!(max > 0)) return whole ? { top: ticks, step: 1 } : { top: 1, step: 0.25 };
  const raw = whole ? Math.max(1, max / ticks) : max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw);
  return { top: step * Math.ceil(max / step), step };
}

function frame(options, series, labels) {
  const format = options.format ?? ((v) => fmtNumber(v));
  const values = series.flatMap((one) => one.values).filter((v) => v !== null && v !== undefined);
  const whole = values.every((v) => Number.isInteger(v));
  const scale = options.max !== undefined ? { top: options.max, step: options.max / 4 } : niceScale(Math.max(0, ...values), whole);
  const plotWidth = size.width - size.left - size.right;
  const plotHeight = size.height - size.top - size.bottom;
  const y = (value) => size.top + plotHeight - (value / scale.top) * plotHeight;
  const grid = [];
  for (let tick = 0; tick <= scale.top + scale.step / 2; tick += scale.step) {
    grid.push(s('line', { class: 'grid', x1: size.left, x2: size.width - size.right, y1: y(tick), y2: y(tick), stroke: '#e5e9f0' }));
    grid.push(s('text', { x: size.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, format(tick)));
  }
  // Every label when they fit, else every n-th.
  const every = Math.max(1, Math.ceil(labels.length / 12));
  const xLabel = (x, text, index) => (index % every === 0 ? s('text', { x, y: size.height - size.bottom + 20, 'text-anchor': 'middle' }, text) : null);
  const axes = [
    s('line', { class: 'axis', x1: size.left, x2: size.left, y1: size.top, y2: size.top + plotHeight, stroke: '#9aa3b2' }),
    s('line', { class: 'axis', x1: size.left, x2: size.width - size.right, y1: size.top + plotHeight, y2: size.top + plotHeight, stroke: '#9aa3b2' }),
  ];
  // No value at all (a new provider, a rate with no deadline passed): said in the plot rather than left blank.
  const empty = values.length === 0 && options.emptyText
    ? s('text', { class: 'chart-empty', x: size.left + plotWidth / 2, y: size.top + plotHeight / 2, 'text-anchor': 'middle' }, options.emptyText)
    : null;
  return { format, y, plotWidth, plotHeight, grid, axes, xLabel, empty };
}

function wrap(options, labels, series, svg) {
  const format = options.format ?? ((v) => fmtNumber(v));
  const legend = h('div', { class: 'chart-legend', 'aria-hidden': 'true' }, series.map((one, i) => {
    const item = h('span', null, one.label);
    item.style.setProperty('--swatch', one.color ?? palette[i % palette.length]);
    return item;
  }));
  const data = h('table', { class: 'visually-hidden' },
    h('caption', null, options.title),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, options.xTitle ?? ''), series.map((one) => h('th', { scope: 'col' }, one.label)))),
    h('tbody', null, labels.map((label, i) => h('tr', null, h('th', { scope: 'row' }, label),
      series.map((one) => h('td', null, one.values[i] === null || one.values[i] === undefined ? '—' : format(one.values[i])))))));
  return h('figure', { class: 'chart-box' }, options.title ? h('figcaption', { class: 'chart-title' }, options.title) : null, svg, legend, data);
}

/**
 * A line chart. options: { title (the accessible name and caption), labels: x labels, series: [{ label, values (null: no
 * value), color }], format(v) → text for the y axis and the points, max (fixed top of the y axis, e.g. 1 for rates), xTitle,
 * emptyText (said in the plot when no value is there) }.
 */
export function lineChart(options) {
  const labels = options.labels ?? [];
  const series = options.series ?? [];
  const f = frame(options, series, labels);
  const step = labels.length > 1 ? f.plotWidth / (labels.length - 1) : 0;
  const x = (i) => size.left + (labels.length > 1 ? i * step : f.plotWidth / 2);
  const lines = series.map((one, si) => {
    const color = one.color ?? palette[si % palette.length];
    const points = one.values.map((v, i) => (v === null || v === undefined ? null : [x(i), f.y(v), v, i])).filter(Boolean);
    // Gaps (periods without a value) break the line rather than joining across them.
    let path = '';
    let previous = -2;
    for (const [px, py, , i] of points) {
      path += `${i === previous + 1 ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`;
      previous = i;
    }
    return s('g', { class: 'series' },
      s('path', { d: path, fill: 'none', stroke: color, 'stroke-width': 2 }),
      points.map(([px, py, v, i]) => s('circle', { cx: px, cy: py, r: 3.5, fill: color },
        s('title', null, `${one.label} · ${labels[i]}: ${f.format(v)}`))));
  });
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${size.width} ${size.height}`, role: 'img', 'aria-label': options.title, preserveAspectRatio: 'xMidYMid meet' },
    s('title', null, options.title), f.grid, f.axes, labels.map((label, i) => f.xLabel(x(i), label, i)), lines, f.empty);
  return wrap(options, labels, series, svg);
}

/** A bar chart (grouped when there are several series); options as for lineChart. */
export function barChart(options) {
  const labels = options.labels ?? [];
  const series = options.series ?? [];
  const f = frame(options, series, labels);
  const band = labels.length ? f.plotWidth / labels.length : f.plotWidth;
  const barWidth = Math.max(2, (band * 0.7) / Math.max(1, series.length));
  const base = f.y(0);
  const bars = series.map((one, si) => {
    const color = one.color ?? palette[si % palette.length];
    return s('g', { class: 'series' }, one.values.map((v, i) => {
      if (v === null || v === undefined) return null;
      const left = size.left + i * band + band * 0.15 + si * barWidth;
      const top = f.y(v);
      return s('rect', { x: left.toFixed(1), y: top.toFixed(1), width: barWidth.toFixed(1), height: Math.max(0, base - top).toFixed(1), fill: color },
        s('title', null, `${one.label} · ${labels[i]}: ${f.format(v)}`));
    }));
  });
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${size.width} ${size.height}`, role: 'img', 'aria-label': options.title, preserveAspectRatio: 'xMidYMid meet' },
    s('title', null, options.title), f.grid, f.axes, labels.map((label, i) => f.xLabel(size.left + i * band + band / 2, label, i)), bars, f.empty);
  return wrap(options, labels, series, svg);
}
