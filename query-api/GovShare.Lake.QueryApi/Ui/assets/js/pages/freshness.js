// Freshness: every catalogue entry against its update deadline as the last check found it: past the deadline first (overdue
// and delinquent, the earliest deadline first), then due soon, then fresh; counts per state at the top, filters by state and agency.
import { t, addStrings, fmtNumber, fmtDateTime, localName, has } from '../i18n.js';
import { get, qs } from '../api.js';
import { h, fill, pageHeader, table, badge, field, select, loading, errorBox } from '../ui.js';

const STATES = ['delinquent', 'overdue', 'due', 'fresh'];
const kinds = { delinquent: 'bad', overdue: 'bad', due: 'warn', fresh: 'ok' };

addStrings({
  zh: {
    'freshness.title': '更新时效',
    'freshness.intro': '各目录资源相对更新期限的状态（以最近一次检查为准），超期的排在最前。',
    'freshness.filters': '筛选',
    'freshness.state': '状态',
    'freshness.agency': '提供部门',
    'freshness.any': '全部',
    'freshness.apply': '查询',
    'freshness.counts': '各状态数量',
    'freshness.state.delinquent': '严重超期',
    'freshness.state.overdue': '已超期',
    'freshness.state.due': '即将到期',
    'freshness.state.fresh': '按时更新',
    'freshness.col.entry': '资源',
    'freshness.col.provider': '提供部门',
    'freshness.col.class': '更新要求',
    'freshness.col.state': '状态',
    'freshness.col.deadline': '更新期限',
    'freshness.col.lastDelivery': '最近交付',
    'freshness.col.reason': '说明',
    'freshness.checked': '最近检查：{at}',
    'freshness.class.real_time': '实时',
    'freshness.class.within_3_days': '3 个工作日内',
    'freshness.class.quarterly': '按季度',
    'freshness.class.custom': '自定义周期',
    'freshness.empty': '没有符合条件的资源。',
    'freshness.none': '从未交付',
    'freshness.notChecked': '时效检查尚未运行，暂无结果（定时任务每 15 分钟检查一次）。',
  },
  en: {
    'freshness.title': 'Freshness',
    'freshness.intro': 'Every catalogue entry against its update deadline, as the last check found it; overdue ones first.',
    'freshness.filters': 'Filters',
    'freshness.state': 'State',
    'freshness.agency': 'Provider',
    'freshness.any': 'Any',
    'freshness.apply': 'Show',
    'freshness.counts': 'Entries per state',
    'freshness.state.delinquent': 'Delinquent',
    'freshness.state.overdue': 'Overdue',
    'freshness.state.due': 'Due soon',
    'freshness.state.fresh': 'Fresh',
    'freshness.col.entry': 'Entry',
    'freshness.col.provider': 'Provider',
    'freshness.col.class': 'Update deadline',
    'freshness.col.state': 'State',
    'freshness.col.deadline': 'Deadline',
    'freshness.col.lastDelivery': 'Last delivery',
    'freshness.col.reason': 'Why',
    'freshness.checked': 'Last checked: {at}',
    'freshness.class.real_time': 'Real time',
    'freshness.class.within_3_days': 'Within 3 working days',
    'freshness.class.quarterly': 'Quarterly',
    'freshness.class.custom': 'Custom schedule',
    'freshness.empty': 'No entries match.',
    'freshness.none': 'Never delivered',
    'freshness.notChecked': 'The freshness check has not run yet (the scheduled job checks every quarter of an hour).',
  },
});

const stateLabel = (state) => (has(`freshness.state.${state}`) ? t(`freshness.state.${state}`) : state);

export async function render(view, ctx) {
  const chosen = { state: ctx.query.get('state') ?? '', provider: ctx.query.get('provider') ?? '' };
  const results = h('div', null, loading());
  const counts = h('div', { class: 'state-counts', role: 'group', 'aria-label': t('freshness.counts') });
  const state = select([{ value: '', label: t('freshness.any') }, ...STATES.map((s) => ({ value: s, label: stateLabel(s) }))], chosen.state, { name: 'state' });
  const provider = select([{ value: '', label: t('freshness.any') }], chosen.provider, { name: 'provider' });
  const form = h('form', {
    class: 'filters', 'aria-label': t('freshness.filters'),
    on: {
      submit: (event) => {
        event.preventDefault();
        ctx.navigate(`#/freshness${qs({ state: state.value, provider: provider.value })}`);
      },
    },
  }, field(t('freshness.state'), state), field(t('freshness.agency'), provider), h('button', { type: 'submit', class: 'primary' }, t('freshness.apply')));
  fill(view, pageHeader(t('freshness.title')), h('p', { class: 'muted' }, t('freshness.intro')), counts, form, results);

  try {
    // Every entry is read (a few hundred at most) so that the counts cover all states; the filters apply here.
    const [records, entries] = await Promise.all([get('/api/freshness'), get('/api/catalogue').catch(() => [])]);
    const byId = new Map(entries.map((e) => [e.id, e]));
    const agencies = new Map(entries.map((e) => [e.agency.code, e.agency]));
    const agencyName = (code) => (agencies.has(code) ? localName(agencies.get(code).name) : code);
    for (const code of new Set(records.map((r) => r.status.provider))) {
      provider.append(h('option', { value: code, selected: code === chosen.provider }, agencyName(code)));
    }

    const ofProvider = records.filter((r) => !chosen.provider || r.status.provider === chosen.provider);
    fill(counts, STATES.map((s) => {
      const n = ofProvider.filter((r) => r.status.state === s).length;
      return h('a', {
        class: ['state-count', `state-${kinds[s]}`, chosen.state === s ? 'active' : null], href: `#/freshness${qs({ state: s, provider: chosen.provider })}`,
        'aria-current': chosen.state === s ? 'true' : null,
      }, h('span', { class: 'count' }, fmtNumber(n)), h('span', null, stateLabel(s)));
    }));

    // Past the deadline (overdue or delinquent) first, the longest past first; then due soon; then fresh.
    const group = { delinquent: 0, overdue: 0, due: 1, fresh: 2 };
    const rank = (s) => group[s] ?? 3;
    const rows = ofProvider
      .filter((r) => !chosen.state || r.status.state === chosen.state)
      .sort((a, b) => rank(a.status.state) - rank(b.status.state) || new Date(a.status.deadline) - new Date(b.status.deadline));
    const checked = records.reduce((latest, r) => (!latest || new Date(r.checkedAt) > new Date(latest) ? r.checkedAt : latest), null);
    fill(results, checked ? h('p', { class: 'muted' }, t('freshness.checked', { at: fmtDateTime(checked) })) : null, table([
      {
        label: t('freshness.col.entry'),
        render: (r) => h('a', { href: `#/catalogue/${encodeURIComponent(r.status.entryId)}` },
          byId.has(r.status.entryId) ? localName(byId.get(r.status.entryId).name) : r.status.entryId),
      },
      { label: t('freshness.col.provider'), render: (r) => agencyName(r.status.provider) },
      { label: t('freshness.col.class'), render: (r) => (has(`freshness.class.${r.status.deadlineClass}`) ? t(`freshness.class.${r.status.deadlineClass}`) : r.status.deadlineClass) },
      { label: t('freshness.col.state'), render: (r) => badge(stateLabel(r.status.state), kinds[r.status.state] ?? 'info') },
      { label: t('freshness.col.deadline'), render: (r) => h('span', { class: r.status.state === 'fresh' ? null : `${r.status.state === 'due' ? 'due-soon' : 'overdue'}-text` }, fmtDateTime(r.status.deadline)) },
      { label: t('freshness.col.lastDelivery'), render: (r) => (r.status.lastDelivery ? fmtDateTime(r.status.lastDelivery) : h('span', { class: 'muted' }, t('freshness.none'))) },
      { label: t('freshness.col.reason'), class: 'reason', render: (r) => r.status.reason },
    ], rows, {
      empty: records.length ? t('freshness.empty') : t('freshness.notChecked'), caption: t('freshness.title'),
      rowClass: (r) => (r.status.state === 'overdue' || r.status.state === 'delinquent' ? 'overdue' : r.status.state === 'due' ? 'due-soon' : null),
    }));
  } catch (error) {
    fill(results, errorBox(error));
  }
}
