// The audit trail for the operator: the entries newest first, filtered by agency, action, outcome and time, paged; and who
// accessed a person or a company. The key is typed into a form and sent in a POST body: it never enters the address bar.
import { t, addStrings, fmtNumber, fmtDateTime, localName, has } from '../i18n.js';
import { get, post, qs } from '../api.js';
import { h, fill, pageHeader, table, pager, badge, field, select, loading, errorBox, errorText } from '../ui.js';

const PAGE = 50;
const OUTCOMES = ['allowed', 'denied', 'failed'];
const outcomeKind = { allowed: 'ok', denied: 'bad', failed: 'warn' };

addStrings({
  zh: {
    'audit.title': '访问审计',
    'audit.intro': '平台记录的每一次登录、查询、查验和管理操作，最新的在前。',
    'audit.tab.list': '审计日志',
    'audit.tab.subject': '谁查询过某人/某企业',
    'audit.agency': '部门编码',
    'audit.action': '操作',
    'audit.actionHint': '如 SignIn、RunQuery、LookupPerson',
    'audit.outcome': '结果',
    'audit.from': '起始时间',
    'audit.to': '截止时间',
    'audit.any': '全部',
    'audit.apply': '查询',
    'audit.reset': '清除筛选',
    'audit.outcome.allowed': '允许',
    'audit.outcome.denied': '拒绝',
    'audit.outcome.failed': '失败',
    'audit.col.seq': '序号',
    'audit.col.at': '时间',
    'audit.col.agency': '部门',
    'audit.col.user': '用户',
    'audit.col.purpose': '使用目的',
    'audit.col.action': '操作',
    'audit.col.resources': '涉及资源',
    'audit.col.rows': '行数',
    'audit.col.outcome': '结果',
    'audit.empty': '没有符合条件的审计记录。',
    'audit.subjectIntro': '输入公民身份号码或统一社会信用代码，查看哪些部门、何时、为何访问过该主体的数据。此次查询本身也会被记录。',
    'audit.keyKind': '标识类型',
    'audit.kind.idNumber': '公民身份号码',
    'audit.kind.uscc': '统一社会信用代码',
    'audit.key': '标识',
    'audit.search': '查询访问记录',
    'audit.keyEmpty': '请输入标识。',
    'audit.subjectEmpty': '没有访问该主体的记录。',
    'audit.subjectCount': '共 {n} 条访问记录。',
  },
  en: {
    'audit.title': 'Audit',
    'audit.intro': 'Every sign-in, query, lookup and administrative step the platform recorded, newest first.',
    'audit.tab.list': 'Audit trail',
    'audit.tab.subject': 'Who accessed a person or company',
    'audit.agency': 'Agency code',
    'audit.action': 'Action',
    'audit.actionHint': 'e.g. SignIn, RunQuery, LookupPerson',
    'audit.outcome': 'Outcome',
    'audit.from': 'From',
    'audit.to': 'To',
    'audit.any': 'Any',
    'audit.apply': 'Search',
    'audit.reset': 'Clear filters',
    'audit.outcome.allowed': 'Allowed',
    'audit.outcome.denied': 'Denied',
    'audit.outcome.failed': 'Failed',
    'audit.col.seq': 'No.',
    'audit.col.at': 'When',
    'audit.col.agency': 'Agency',
    'audit.col.user': 'User',
    'audit.col.purpose': 'Purpose',
    'audit.col.action': 'Action',
    'audit.col.resources': 'Resources',
    'audit.col.rows': 'Rows',
    'audit.col.outcome': 'Outcome',
    'audit.empty': 'No audit entries match.',
    'audit.subjectIntro': 'Type a resident identity number or a unified social credit code to see which agencies accessed the data about it, when and why. This search is itself audited.',
    'audit.keyKind': 'Kind of key',
    'audit.kind.idNumber': 'Resident identity number',
    'audit.kind.uscc': 'Unified social credit code',
    'audit.key': 'Key',
    'audit.search': 'Find accesses',
    'audit.keyEmpty': 'Type the key.',
    'audit.subjectEmpty': 'Nobody accessed this subject.',
    'audit.subjectCount': '{n} accesses.',
  },
});

const outcomeBadge = (o) => badge(has(`audit.outcome.${o}`) ? t(`audit.outcome.${o}`) : o, outcomeKind[o] ?? 'info');

// Agency names by code (GET /api/agencies).
let agencyNames = new Map();

async function loadAgencyNames() {
  try {
    const agencies = await get('/api/agencies');
    agencyNames = new Map(agencies.map((a) => [a.code, { zh: a.nameZh, en: a.nameEn }]));
  } catch {
    // Codes are shown instead.
  }
}

const agencyCell = (code) => (agencyNames.has(code) ? h('span', { title: code }, localName(agencyNames.get(code))) : code);

function columns() {
  return [
    { label: t('audit.col.seq'), align: 'right', render: (e) => fmtNumber(e.seq) },
    { label: t('audit.col.at'), render: (e) => fmtDateTime(e.at) },
    { label: t('audit.col.agency'), render: (e) => agencyCell(e.agency) },
    { label: t('audit.col.user'), render: (e) => e.endUser ?? '—' },
    { label: t('audit.col.action'), render: (e) => h('code', null, e.action) },
    { label: t('audit.col.purpose'), render: (e) => e.purpose ?? '—' },
    { label: t('audit.col.resources'), render: (e) => (e.resources?.length ? e.resources.join(', ') : '—') },
    { label: t('audit.col.rows'), align: 'right', render: (e) => (e.rows === null || e.rows === undefined ? '—' : fmtNumber(e.rows)) },
    { label: t('audit.col.outcome'), render: (e) => h('span', null, outcomeBadge(e.outcome), ' ', h('span', { class: 'muted' }, e.status)) },
  ];
}

export async function render(view, ctx) {
  const tab = ctx.query.get('tab') === 'subject' ? 'subject' : 'list';
  const tabs = h('div', { class: 'tabs', role: 'tablist' }, ['list', 'subject'].map((id) => h('button', {
    type: 'button', role: 'tab', 'aria-selected': String(id === tab), id: `audit-tab-${id}`,
    on: { click: () => ctx.navigate(id === 'list' ? '#/audit' : '#/audit?tab=subject') },
  }, t(`audit.tab.${id}`))));
  const panel = h('div', { role: 'tabpanel', 'aria-labelledby': `audit-tab-${tab}` });
  fill(view, pageHeader(t('audit.title')), h('p', { class: 'muted' }, t('audit.intro')), tabs, panel);
  await loadAgencyNames();
  if (tab === 'subject') renderSubject(panel);
  else await renderList(panel, ctx);
}

// datetime-local values are China time as typed; the API takes an offset.
const toApi = (local) => (local ? `${local}:00+08:00` : '');

async function renderList(panel, ctx) {
  const q = ctx.query;
  const state = {
    agency: q.get('agency') ?? '', action: q.get('action') ?? '', outcome: q.get('outcome') ?? '', from: q.get('from') ?? '', to: q.get('to') ?? '',
    offset: Number(q.get('offset') ?? 0) || 0,
  };
  const go = (changes) => {
    const next = { ...state, ...changes };
    if (!next.offset) next.offset = '';
    ctx.navigate(`#/audit${qs(next)}`);
  };
  const agency = h('input', { name: 'agency', value: state.agency, size: 12 });
  const action = h('input', { name: 'action', value: state.action, size: 16, placeholder: t('audit.actionHint') });
  const outcome = select([{ value: '', label: t('audit.any') }, ...OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcome.${o}`) }))], state.outcome, { name: 'outcome' });
  const from = h('input', { type: 'datetime-local', name: 'from', value: state.from });
  const to = h('input', { type: 'datetime-local', name: 'to', value: state.to });
  const results = h('div', null, loading());
  fill(panel,
    h('form', {
      class: 'filters',
      on: {
        submit: (event) => {
          event.preventDefault();
          go({ agency: agency.value.trim(), action: action.value.trim(), outcome: outcome.value, from: from.value, to: to.value, offset: 0 });
        },
      },
    }, field(t('audit.agency'), agency), field(t('audit.action'), action), field(t('audit.outcome'), outcome), field(t('audit.from'), from), field(t('audit.to'), to),
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary' }, t('audit.apply')),
      h('button', { type: 'button', class: 'secondary', on: { click: () => ctx.navigate('#/audit') } }, t('audit.reset')))),
    results);

  try {
    // The API pages by limit only (newest first): ask for one page more than shown so far, plus one to know there is a next.
    const found = await get(`/api/audit${qs({
      agency: state.agency, action: state.action, outcome: state.outcome, from: toApi(state.from), to: toApi(state.to), limit: state.offset + PAGE + 1,
    })}`);
    const rows = found.slice(state.offset, state.offset + PAGE);
    const more = found.length > state.offset + PAGE;
    fill(results,
      table(columns(), rows, { empty: t('audit.empty'), caption: t('audit.tab.list') }),
      rows.length || state.offset ? pager({ offset: state.offset, limit: PAGE, total: more ? null : state.offset + rows.length, count: rows.length, onChange: (offset) => go({ offset }) }) : null);
  } catch (error) {
    fill(results, errorBox(error));
  }
}

function renderSubject(panel) {
  const kind = select([{ value: 'idNumber', label: t('audit.kind.idNumber') }, { value: 'uscc', label: t('audit.kind.uscc') }], 'idNumber', { name: 'kind' });
  const key = h('input', { name: 'key', autocomplete: 'off', spellcheck: 'false', size: 24, maxlength: 32 });
  const problem = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const results = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('audit.search'));
  fill(panel,
    h('p', { class: 'muted' }, t('audit.subjectIntro')),
    h('form', {
      class: 'filters', autocomplete: 'off',
      on: {
        submit: async (event) => {
          event.preventDefault();
          problem.hidden = true;
          const value = key.value.trim();
          if (!value) {
            problem.textContent = t('audit.keyEmpty');
            problem.hidden = false;
            return;
          }
          submit.disabled = true;
          fill(results, loading());
          try {
            const found = await post('/api/audit/subject', { [kind.value]: value });
            fill(results,
              h('p', { class: 'muted' }, t('audit.subjectCount', { n: fmtNumber(found.length) })),
              table(columns(), found, { empty: t('audit.subjectEmpty'), caption: t('audit.tab.subject') }));
          } catch (error) {
            results.replaceChildren();
            problem.textContent = errorText(error);
            problem.hidden = false;
          } finally {
            submit.disabled = false;
          }
        },
      },
    }, field(t('audit.keyKind'), kind), field(t('audit.key'), key), submit),
    problem,
    results);
}
