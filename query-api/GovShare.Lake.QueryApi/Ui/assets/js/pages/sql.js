// The SQL console: a tree of what the agency may read (base databases → tables → columns), an editor with line numbers
// (Ctrl+Enter runs), a lake-version selector, results paged through the API's continuation tokens, exports in every
// format the API sends, and errors marked at the line and column the API names.
import { t, addStrings, fmtNumber, fmtDateTime, localName, has } from '../i18n.js';
import { get, post, qs, download, ApiError } from '../api.js';
import { h, fill, pageHeader, table, pager, badge, field, select, loading, errorBox, errorText, toast, busy } from '../ui.js';

addStrings({
  zh: {
    'sql.title': 'SQL 查询',
    'sql.intro': '只读 SELECT 查询，每次查询会连同使用目的记录在审计日志中。',
    'sql.tree': '可访问的数据',
    'sql.treeHint': '点击表名或字段名插入到编辑器光标处。',
    'sql.treeEmpty': '本部门暂无可访问的数据。',
    'sql.expand': '展开 {name} 的字段',
    'sql.collapse': '收起 {name} 的字段',
    'sql.insert': '插入 {name}',
    'sql.db.population': '人口库',
    'sql.db.legal_entity': '法人库',
    'sql.db.geo': '空间地理库',
    'sql.db.licence': '电子证照库',
    'sql.db.themes': '主题库',
    'sql.db.src': '部门原始表',
    'sql.editor': 'SQL 语句',
    'sql.editorHint': 'Ctrl+Enter 运行。',
    'sql.version': '数据版本',
    'sql.latest': '最新版本',
    'sql.versionOption': '版本 {v}（{at}）',
    'sql.run': '运行',
    'sql.running': '正在查询…',
    'sql.empty': '请输入 SQL 语句。',
    'sql.errorAt': '第 {line} 行，第 {column} 列',
    'sql.errorLine': '出错的行',
    'sql.requestFor': '申请访问 {resource}',
    'sql.results': '查询结果',
    'sql.resultInfo': '数据版本 {v}',
    'sql.more': '还有更多结果，翻页时继续读取。',
    'sql.all': '共 {n} 行',
    'sql.noRows': '查询没有返回任何行。',
    'sql.export': '导出',
    'sql.csvUtf8': 'CSV（UTF-8）',
    'sql.csvGbk': 'CSV（GBK）',
    'sql.parquet': 'Parquet',
    'sql.arrow': 'Arrow',
    'sql.exported': '已导出 {name}（{size} 字节）',
    'sql.exportHint': '导出完整结果（不分页），按所显示结果的数据版本读取。',
    'sql.null': '空',
  },
  en: {
    'sql.title': 'SQL console',
    'sql.intro': 'Read-only SELECT statements; each one is recorded with its purpose in the audit trail.',
    'sql.tree': 'What you may read',
    'sql.treeHint': 'Click a table or a column to insert its name at the cursor.',
    'sql.treeEmpty': 'Your agency may read nothing yet.',
    'sql.expand': 'Show the columns of {name}',
    'sql.collapse': 'Hide the columns of {name}',
    'sql.insert': 'Insert {name}',
    'sql.db.population': 'Population',
    'sql.db.legal_entity': 'Legal entities',
    'sql.db.geo': 'Geography',
    'sql.db.licence': 'Licences',
    'sql.db.themes': 'Themes',
    'sql.db.src': 'Provider tables',
    'sql.editor': 'SQL statement',
    'sql.editorHint': 'Ctrl+Enter runs it.',
    'sql.version': 'Lake version',
    'sql.latest': 'Latest',
    'sql.versionOption': 'Version {v} ({at})',
    'sql.run': 'Run',
    'sql.running': 'Running…',
    'sql.empty': 'Write a statement first.',
    'sql.errorAt': 'line {line}, column {column}',
    'sql.errorLine': 'The line in error',
    'sql.requestFor': 'Request access to {resource}',
    'sql.results': 'Results',
    'sql.resultInfo': 'Lake version {v}',
    'sql.more': 'More rows follow; they are read as you page on.',
    'sql.all': '{n} rows',
    'sql.noRows': 'The statement returned no rows.',
    'sql.export': 'Export',
    'sql.csvUtf8': 'CSV (UTF-8)',
    'sql.csvGbk': 'CSV (GBK)',
    'sql.parquet': 'Parquet',
    'sql.arrow': 'Arrow',
    'sql.exported': 'Exported {name} ({size} bytes)',
    'sql.exportHint': 'Exports the whole result (not paged), read at the version shown.',
    'sql.null': 'null',
  },
});

const VIEW = 500;
const STORE = 'govshare.sql';
const databases = ['population', 'legal_entity', 'geo', 'licence', 'themes', 'src'];
const numericTypes = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/i;

const exportFormats = [
  { key: 'sql.csvUtf8', accept: 'text/csv', encoding: '', ext: 'csv' },
  { key: 'sql.csvGbk', accept: 'text/csv', encoding: 'gbk', ext: 'csv' },
  { key: 'sql.parquet', accept: 'application/vnd.apache.parquet', encoding: '', ext: 'parquet' },
  { key: 'sql.arrow', accept: 'application/vnd.apache.arrow.stream', encoding: '', ext: 'arrows' },
];

/** The tables the agency may read, by database: [{ db, tables: [{ name, label, columns: [{ name, title }] }] }]. */
async function readableTree() {
  const [access, catalogue] = await Promise.all([get('/api/access/me'), get('/api/catalogue')]);
  const readable = catalogue.filter((e) => (e.kind === 'theme' ? access.themes : access.datasets)?.[e.id]);
  const details = await Promise.all(readable.map((e) => get(`/api/catalogue/${encodeURIComponent(e.id)}`).catch(() => null)));
  const tables = new Map();
  const add = (db, name, label, columns) => {
    const key = `${db}|${name}`;
    const tableNode = tables.get(key) ?? { db, name, label, columns: new Map() };
    for (const c of columns) if (!tableNode.columns.has(c.name)) tableNode.columns.set(c.name, c);
    tables.set(key, tableNode);
  };
  for (const detail of details) {
    if (!detail) continue;
    const s = detail.summary;
    const grant = (s.kind === 'theme' ? access.themes : access.datasets)[s.id];
    const columns = detail.schema
      .filter((c) => !grant.fields || grant.fields.includes(c.name))
      .map((c) => ({ name: c.name, title: [c.chinese, c.type].filter(Boolean).join(' · ') }));
    if (s.kind === 'theme') {
      add('themes', s.target, localName(s.name), columns);
    } else {
      add(s.baseDatabase, s.target, null, columns);
      add('src', `src."${s.id}"`, localName(s.name), columns);
    }
  }
  return databases
    .map((db) => ({ db, tables: [...tables.values()].filter((x) => x.db === db).sort((a, b) => a.name.localeCompare(b.name)) }))
    .filter((group) => group.tables.length);
}

function cell(value, type) {
  if (value === null || value === undefined) return h('span', { class: 'muted pa-null' }, t('sql.null'));
  if (typeof value === 'number' && numericTypes.test(type) && (Number.isSafeInteger(value) || !Number.isInteger(value))) {
    return fmtNumber(value, { maximumFractionDigits: 10 });
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export async function render(view, ctx) {
  const saved = sessionStorage.getItem(STORE);
  const preset = ctx.query.get('table');
  const initial = preset ? `SELECT *\nFROM ${preset}\nLIMIT 100` : saved ?? 'SELECT household_division, count(*) AS n\nFROM population.persons\nGROUP BY 1\nORDER BY 2 DESC';

  // The editor: a gutter of line numbers beside a textarea, scrolled together.
  const gutter = h('div', { class: 'pa-gutter', 'aria-hidden': 'true' });
  const editor = h('textarea', {
    class: 'code pa-code', name: 'sql', rows: 10, spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', wrap: 'off',
    'aria-describedby': 'sql-editor-hint',
  });
  editor.value = initial;
  const caret = h('div', { class: 'pa-caret', hidden: true });
  const problem = h('div', { class: 'pa-problem' });
  let errorLine = 0;

  function renumber() {
    const lines = editor.value.split('\n').length;
    if (gutter.childElementCount !== lines) {
      fill(gutter, Array.from({ length: lines }, (_, i) => h('div', { class: i + 1 === errorLine ? 'pa-line-error' : null }, String(i + 1))));
    }
    gutter.scrollTop = editor.scrollTop;
  }
  function clearError() {
    errorLine = 0;
    for (const line of gutter.querySelectorAll('.pa-line-error')) line.classList.remove('pa-line-error');
    caret.hidden = true;
    editor.removeAttribute('aria-invalid');
  }
  editor.addEventListener('input', () => {
    sessionStorage.setItem(STORE, editor.value);
    if (errorLine) clearError();
    renumber();
  });
  editor.addEventListener('scroll', () => { gutter.scrollTop = editor.scrollTop; });
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });

  function insert(text) {
    editor.focus();
    editor.setRangeText(text, editor.selectionStart, editor.selectionEnd, 'end');
    editor.dispatchEvent(new Event('input'));
  }

  /** Marks where the statement failed: the line number, a caret line under the editor, and the cursor. */
  function markError(position) {
    const sql = editor.value;
    const lines = sql.split('\n');
    const line = Math.min(Math.max(1, position.line ?? 1), lines.length);
    const column = Math.max(1, position.column ?? 1);
    errorLine = line;
    fill(gutter);
    renumber();
    const text = lines[line - 1];
    fill(caret,
      h('div', { class: 'pa-caret-label' }, `${t('sql.errorLine')} · ${t('sql.errorAt', { line: fmtNumber(line), column: fmtNumber(column) })}`),
      h('pre', { class: 'pa-caret-text' }, `${String(line).padStart(3)} | ${text}\n${' '.repeat(3)} | ${' '.repeat(Math.min(column - 1, text.length))}^`));
    caret.hidden = false;
    editor.setAttribute('aria-invalid', 'true');
    let offset = typeof position.offset === 'number' ? position.offset : lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
    offset = Math.min(Math.max(0, offset), sql.length);
    editor.focus();
    editor.setSelectionRange(offset, offset);
    // Bring the line into view: the textarea scrolls by lines of equal height.
    const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 20;
    editor.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  function showError(error) {
    const position = error instanceof ApiError ? error.problem?.position : null;
    const resources = error instanceof ApiError && error.status === 403 && Array.isArray(error.problem?.resources) ? error.problem.resources : [];
    fill(problem,
      h('div', { class: 'alert alert-error', role: 'alert' },
        position ? h('strong', null, `${t('sql.errorAt', { line: fmtNumber(position.line), column: fmtNumber(position.column) })}: `) : null,
        errorText(error),
        resources.length && ctx.hasRole('analyst')
          ? h('div', { class: 'row pa-actions' }, resources.map((r) => h('a', { class: 'button secondary', href: `#/requests/new?entry=${encodeURIComponent(r)}` }, t('sql.requestFor', { resource: r }))))
          : null));
    if (position) markError(position);
    else if (error instanceof ApiError && error.needsPurpose) document.getElementById('purpose')?.focus();
  }

  // The version selector.
  const versionSelect = select([{ value: '', label: t('sql.latest') }], '', { name: 'asOf' });
  get('/api/versions').then((versions) => {
    const list = (Array.isArray(versions) ? versions : versions?.versions ?? []).slice().sort((a, b) => b.version - a.version);
    for (const v of list) {
      versionSelect.append(h('option', { value: v.version }, t('sql.versionOption', { v: fmtNumber(v.version), at: fmtDateTime(v.committedAt) })));
    }
  }).catch((error) => toast(errorText(error), 'error'));

  // The result: rows loaded so far (pages of the API appended), the continuation for the next, the page shown.
  const results = h('section', { class: 'pa-results', 'aria-labelledby': 'sql-results', 'aria-live': 'polite' });
  let result = null;

  const runButton = h('button', { type: 'button', class: 'primary', on: { click: () => run() } }, t('sql.run'));
  async function run() {
    // One statement at a time: Ctrl+Enter while a query runs does nothing (the button is disabled too).
    if (runButton.disabled) return;
    const sql = editor.value;
    clearError();
    fill(problem);
    if (!sql.trim()) {
      fill(problem, h('div', { class: 'alert alert-warn', role: 'alert' }, t('sql.empty')));
      return;
    }
    runButton.disabled = true;
    fill(results, loading());
    try {
      const answer = await post('/api/query', { sql, asOf: versionSelect.value || undefined });
      result = { sql, version: answer.version, columns: answer.columns, rows: answer.rows, continuation: answer.continuation, offset: 0 };
      showResults();
    } catch (error) {
      result = null;
      fill(results);
      showError(error);
    } finally {
      runButton.disabled = false;
    }
  }

  // Reads continuation pages until upTo rows are there; false when another run replaced the result meanwhile.
  async function ensure(upTo) {
    const current = result;
    while (current.rows.length < upTo && current.continuation) {
      const next = await post('/api/query', { sql: current.sql, continuation: current.continuation });
      if (result !== current) return false;
      current.rows.push(...next.rows);
      current.continuation = next.continuation;
    }
    return result === current;
  }

  async function goTo(offset) {
    fill(problem);
    const buttons = [...results.querySelectorAll('.pager button')];
    for (const b of buttons) b.disabled = true;
    try {
      if (!(await ensure(offset + VIEW))) return;
      result.offset = offset;
      showResults();
    } catch (error) {
      for (const b of buttons) b.disabled = false;
      showError(error);
    }
  }

  function showResults() {
    const { columns, rows, continuation, offset } = result;
    const shown = rows.slice(offset, offset + VIEW).map((values) => ({ values }));
    const exportButtons = exportFormats.map((x) => {
      const button = h('button', { type: 'button', class: 'secondary', dataset: { export: x.key.replace('sql.', '') } }, t(x.key));
      button.addEventListener('click', () => busy(button, async () => {
        const file = await download('POST', `/api/query${qs({ encoding: x.encoding })}`, { sql: result.sql, asOf: String(result.version) },
          `query-v${result.version}.${x.ext}`, { headers: { Accept: x.accept } });
        toast(t('sql.exported', { name: file.name, size: fmtNumber(file.size) }));
      }));
      return button;
    });
    fill(results,
      h('div', { class: 'page-header' },
        h('h2', { id: 'sql-results', text: t('sql.results') }),
        h('div', { class: 'actions', role: 'group', 'aria-label': t('sql.export') }, h('span', { class: 'muted', title: t('sql.exportHint') }, `${t('sql.export')}:`), exportButtons)),
      h('p', { class: 'muted' },
        badge(t('sql.resultInfo', { v: fmtNumber(result.version) }), 'info'), ' ',
        continuation ? t('sql.more') : t('sql.all', { n: fmtNumber(rows.length) })),
      rows.length
        ? [
          table(columns.map((c, i) => ({
            label: h('span', { title: c.type }, c.name),
            align: numericTypes.test(c.type) ? 'right' : null,
            render: (row) => cell(row.values[i], c.type),
          })), shown),
          pager({ offset, limit: VIEW, total: continuation ? null : rows.length, count: shown.length, onChange: goTo })]
        : h('p', { class: 'muted' }, t('sql.noRows')));
  }

  // The tree of readable tables.
  const tree = h('nav', { class: 'pa-tree', 'aria-labelledby': 'sql-tree' }, loading());
  readableTree().then((groups) => {
    if (!groups.length) {
      fill(tree, h('p', { class: 'muted' }, t('sql.treeEmpty')));
      return;
    }
    fill(tree, h('ul', { class: 'pa-tree-dbs' }, groups.map((group) => h('li', null,
      h('div', { class: 'pa-tree-db' }, has(`sql.db.${group.db}`) ? t(`sql.db.${group.db}`) : group.db, ' ', h('code', { class: 'muted' }, group.db)),
      h('ul', null, group.tables.map((node) => {
        const columnList = h('ul', { class: 'pa-tree-columns', hidden: true },
          [...node.columns.values()].map((c) => h('li', null,
            h('button', { type: 'button', class: 'link', title: c.title, 'aria-label': t('sql.insert', { name: c.name }), on: { click: () => insert(c.name) } }, c.name))));
        const toggle = h('button', {
          type: 'button', class: 'pa-toggle', 'aria-expanded': 'false', 'aria-label': t('sql.expand', { name: node.name }),
          on: {
            click: () => {
              const open = columnList.hidden;
              columnList.hidden = !open;
              toggle.setAttribute('aria-expanded', String(open));
              toggle.setAttribute('aria-label', t(open ? 'sql.collapse' : 'sql.expand', { name: node.name }));
              toggle.textContent = open ? '▾' : '▸';
            },
          },
        }, '▸');
        return h('li', null,
          h('div', { class: 'pa-tree-table' }, toggle,
            h('button', { type: 'button', class: 'link', title: node.label ?? node.name, 'aria-label': t('sql.insert', { name: node.name }), on: { click: () => insert(node.name) } }, node.name)),
          columnList);
      }))))));
  }).catch((error) => fill(tree, errorBox(error)));

  fill(view,
    pageHeader(t('sql.title')),
    h('p', { class: 'muted', text: t('sql.intro') }),
    h('div', { class: 'pa-sql-layout' },
      h('aside', { class: 'card pa-tree-card' }, h('h2', { id: 'sql-tree', text: t('sql.tree') }), h('p', { class: 'muted pa-small', text: t('sql.treeHint') }), tree),
      h('div', { class: 'pa-sql-main' },
        h('div', { class: 'field' },
          h('label', { for: 'sql-editor' }, t('sql.editor')),
          h('div', { class: 'pa-editor' }, gutter, Object.assign(editor, { id: 'sql-editor' })),
          caret,
          h('div', { class: 'hint', id: 'sql-editor-hint' }, t('sql.editorHint'))),
        h('div', { class: 'row pa-toolbar' }, field(t('sql.version'), versionSelect), runButton),
        problem,
        results)));
  renumber();
}
