// Small DOM helpers shared by every page: an element builder, tables, a pager, messages, dialogs, badges.
import { t, has, fmtNumber } from './i18n.js';

/**
 * Builds an element. props: { class, text, html (never with user data), on: { click: fn }, attrs..., dataset }.
 * Children: strings, numbers, nodes, arrays, null/undefined/false (skipped).
 */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') element.textContent = value;
    else if (key === 'on') for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'value') element.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'selected' || key === 'multiple') element[key] = Boolean(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Empties an element and fills it with children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A page heading with optional actions on the right. */
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', { text: title }), h('div', { class: 'actions' }, actions));
}

/**
 * A table. columns: [{ key, label, render(row) → node|string, align: 'right', class }]; rows: array of objects.
 * options: { empty: text when no rows, caption, onRow(row) → makes rows clickable (and keyboard reachable), rowClass(row) }.
 */
export function table(columns, rows, options = {}) {
  const head = h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.align === 'right' ? 'num' : c.class }, c.label))));
  const body = h('tbody');
  if (!rows.length) {
    body.append(h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, options.empty ?? t('ui.noRows'))));
  }
  for (const row of rows) {
    const tr = h('tr', { class: options.rowClass?.(row) });
    for (const column of columns) {
      const value = column.render ? column.render(row) : row[column.key];
      tr.append(h('td', { class: [column.align === 'right' ? 'num' : null, column.class] }, value ?? '—'));
    }
    if (options.onRow) {
      tr.classList.add('clickable');
      tr.tabIndex = 0;
      tr.addEventListener('click', () => options.onRow(row));
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          options.onRow(row);
        }
      });
    }
    body.append(tr);
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data' }, options.caption ? h('caption', { text: options.caption }) : null, head, body));
}

/** A pager: "1–50 of 1 234" with previous and next buttons. onChange(newOffset). total may be null (unknown: next while a full page came). */
export function pager({ offset, limit, total, count, onChange }) {
  const shown = count ?? Math.min(limit, Math.max(0, (total ?? offset + limit) - offset));
  const last = offset + shown;
  const label = total === null || total === undefined
    ? t('ui.pagerOpen', { from: fmtNumber(shown ? offset + 1 : 0), to: fmtNumber(last) })
    : t('ui.pager', { from: fmtNumber(shown ? offset + 1 : 0), to: fmtNumber(last), total: fmtNumber(total) });
  const hasNext = total === null || total === undefined ? shown >= limit : last < total;
  return h('nav', { class: 'pager', 'aria-label': t('ui.pages') },
    h('button', { type: 'button', class: 'secondary', disabled: offset <= 0, on: { click: () => onChange(Math.max(0, offset - limit)) } }, t('ui.previous')),
    h('span', { class: 'pager-label' }, label),
    h('button', { type: 'button', class: 'secondary', disabled: !hasNext, on: { click: () => onChange(offset + limit) } }, t('ui.next')));
}

/** A coloured label: kind is ok, warn, bad, info or muted. */
export function badge(text, kind = 'info') {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** A labelled form control. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('div', { class: 'hint' }, hint) : null);
}

/** A select element: options as [{ value, label }]. */
export function select(options, value, props = {}) {
  return h('select', props, options.map((o) => h('option', { value: o.value, selected: String(o.value) === String(value ?? '') }, o.label)));
}

/** A busy indicator. */
export function loading() {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('ui.loading'));
}

/** The text of an API error in the current language: a translated line for the status, then the server's detail. */
export function errorText(error) {
  if (error?.needsPurpose) return t('ui.error.purpose');
  const status = error?.status;
  const key = status ? `ui.error.${status}` : 'ui.error.network';
  const head = has(key) ? t(key) : t('ui.error.other', { status: status ?? '?' });
  return error?.detail ? `${head} ${error.detail}` : head;
}

/** An error box for a failed action or load. */
export function errorBox(error) {
  return h('div', { class: 'alert alert-error', role: 'alert' }, errorText(error));
}

/** A short message at the corner of the screen. kind: ok, error, info. */
export function toast(message, kind = 'ok') {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/**
 * A modal dialog (native <dialog>, keyboard accessible, Esc cancels). body: node(s). actions: [{ label, value, kind, validate() → error text or null }].
 * Resolves with the chosen action's value, or null when cancelled.
 */
export function dialog(title, body, actions) {
  return new Promise((resolve) => {
    const error = h('div', { class: 'dialog-error', role: 'alert' });
    const box = h('dialog', { class: 'dialog', 'aria-label': title },
      h('h2', { text: title }),
      h('div', { class: 'dialog-body' }, body),
      error,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', on: { click: () => close(null) } }, t('ui.cancel')),
        actions.map((action) => h('button', {
          type: 'button',
          class: action.kind ?? 'primary',
          on: {
            click: () => {
              const problem = action.validate?.();
              if (problem) {
                error.textContent = problem;
                return;
              }
              close(action.value);
            },
          },
        }, action.label))));
    function close(value) {
      box.close();
      box.remove();
      resolve(value);
    }
    box.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(null);
    });
    document.body.append(box);
    box.showModal();
  });
}

/** Runs an action from a button: disables it while busy, reports failure as a toast. Returns the action's result or undefined. */
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } catch (error) {
    toast(errorText(error), 'error');
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** Whether a working-day deadline is near (within 2 days) or past, for highlighting. */
export function dueClass(due, now = new Date()) {
  if (!due) return null;
  const left = new Date(due) - now;
  if (left < 0) return 'overdue';
  return left < 2 * 24 * 3600 * 1000 ? 'due-soon' : null;
}
