// Provider scorecards: one providing agency's record over the last months (on-time rate, deliveries, use by other agencies,
// mismatch reports against it) drawn by js/chart.js, and the chosen period's figures. A provider administrator sees its own
// agency; reviewers and the operator choose one. The operator also reads and downloads the annual evaluation report.
import { t, addStrings, fmtNumber, fmtPercent, fmtDateTime, localName, lang, has } from '../i18n.js';
import { get, qs, download } from '../api.js';
import { h, fill, pageHeader, table, field, select, loading, errorBox, busy } from '../ui.js';
import { lineChart, barChart } from '../chart.js';

addStrings({
  zh: {
    'scorecards.title': '部门评价',
    'scorecards.intro': '提供部门的更新及时率、交付、被其他部门使用和被提出纠错的情况，按月统计。',
    'scorecards.agency': '提供部门',
    'scorecards.months': '统计月数',
    'scorecards.monthsN': '最近 {n} 个月',
    'scorecards.year': '年度',
    'scorecards.show': '显示',
    'scorecards.noProviders': '该期间没有提供部门的评价数据。',
    'scorecards.onTime': '更新及时率',
    'scorecards.onTimeRate': '及时率',
    'scorecards.deliveries': '每月交付次数',
    'scorecards.deliveriesAll': '交付',
    'scorecards.refused': '被拒收或失败',
    'scorecards.use': '其他部门的使用',
    'scorecards.requests': '数据请求数',
    'scorecards.mismatches': '被提出的纠错报告',
    'scorecards.reported': '提出',
    'scorecards.resolved': '已办结',
    'scorecards.overdueReports': '超期',
    'scorecards.month': '月份',
    'scorecards.noData': '这段时间没有数据',
    'scorecards.summary': '{period} 年度汇总（截至 {asOf}）',
    'scorecards.fig.deliveries': '交付次数',
    'scorecards.fig.rowsProvided': '入库记录数',
    'scorecards.fig.quarantineRate': '隔离率',
    'scorecards.fig.deadlines': '到期次数（按时 / 超期）',
    'scorecards.fig.onTimeRate': '更新及时率',
    'scorecards.fig.freshness': '资源状态（按时 / 即将到期 / 超期 / 严重超期）',
    'scorecards.fig.mismatches': '纠错报告（提出 / 办结 / 未办结 / 超期）',
    'scorecards.fig.median': '办结用时中位数（工作日）',
    'scorecards.fig.use': '使用部门数 / 请求数 / 提供记录数',
    'scorecards.byAgency': '按使用部门',
    'scorecards.col.agency': '使用部门',
    'scorecards.col.requests': '请求数',
    'scorecards.col.rows': '提供记录数',
    'scorecards.datasets': '各资源',
    'scorecards.col.entry': '资源',
    'scorecards.col.state': '时效状态',
    'scorecards.col.deliveries': '交付',
    'scorecards.col.onTime': '及时率',
    'scorecards.col.reports': '纠错报告',
    'scorecards.report': '年度评价报告',
    'scorecards.reportIntro': '可发布的年度评价报告（HTML）。',
    'scorecards.reportShow': '查看报告',
    'scorecards.reportHide': '收起报告',
    'scorecards.reportDownload': '下载报告',
    'scorecards.reportFrame': '{period} 年度评价报告',
    'scorecards.state.fresh': '按时更新',
    'scorecards.state.due': '即将到期',
    'scorecards.state.overdue': '已超期',
    'scorecards.state.delinquent': '严重超期',
  },
  en: {
    'scorecards.title': 'Scorecards',
    'scorecards.intro': 'A providing agency\'s on-time updates, deliveries, use by other agencies and mismatch reports against it, month by month.',
    'scorecards.agency': 'Provider',
    'scorecards.months': 'Months',
    'scorecards.monthsN': 'Last {n} months',
    'scorecards.year': 'Year',
    'scorecards.show': 'Show',
    'scorecards.noProviders': 'No provider scorecards for this period.',
    'scorecards.onTime': 'On-time rate',
    'scorecards.onTimeRate': 'On time',
    'scorecards.deliveries': 'Deliveries per month',
    'scorecards.deliveriesAll': 'Deliveries',
    'scorecards.refused': 'Refused or failed',
    'scorecards.use': 'Use by other agencies',
    'scorecards.requests': 'Data requests',
    'scorecards.mismatches': 'Mismatch reports against it',
    'scorecards.reported': 'Reported',
    'scorecards.resolved': 'Resolved',
    'scorecards.overdueReports': 'Overdue',
    'scorecards.month': 'Month',
    'scorecards.noData': 'No figures in these months',
    'scorecards.summary': '{period} in total (as of {asOf})',
    'scorecards.fig.deliveries': 'Deliveries',
    'scorecards.fig.rowsProvided': 'Rows accepted',
    'scorecards.fig.quarantineRate': 'Quarantine rate',
    'scorecards.fig.deadlines': 'Deadlines (met / missed)',
    'scorecards.fig.onTimeRate': 'On-time rate',
    'scorecards.fig.freshness': 'Entries (fresh / due / overdue / delinquent)',
    'scorecards.fig.mismatches': 'Mismatch reports (reported / resolved / open / overdue)',
    'scorecards.fig.median': 'Median working days to resolve',
    'scorecards.fig.use': 'Agencies / requests / rows served',
    'scorecards.byAgency': 'By using agency',
    'scorecards.col.agency': 'Agency',
    'scorecards.col.requests': 'Requests',
    'scorecards.col.rows': 'Rows served',
    'scorecards.datasets': 'Per entry',
    'scorecards.col.entry': 'Entry',
    'scorecards.col.state': 'Freshness',
    'scorecards.col.deliveries': 'Deliveries',
    'scorecards.col.onTime': 'On time',
    'scorecards.col.reports': 'Mismatch reports',
    'scorecards.report': 'Annual evaluation report',
    'scorecards.reportIntro': 'The evaluation report of the year, as one HTML page to publish.',
    'scorecards.reportShow': 'Show the report',
    'scorecards.reportHide': 'Hide the report',
    'scorecards.reportDownload': 'Download the report',
    'scorecards.reportFrame': 'Evaluation report {period}',
    'scorecards.state.fresh': 'Fresh',
    'scorecards.state.due': 'Due soon',
    'scorecards.state.overdue': 'Overdue',
    'scorecards.state.delinquent': 'Delinquent',
  },
});

// The month a date falls in, in China's time zone: "2026-07".
function chinaMonth(date) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(date);
  return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`;
}

function lastMonths(n) {
  const [year, month] = chinaMonth(new Date()).split('-').map(Number);
  const months = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(year, month - 1 - i, 1));
    months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

function monthLabel(period) {
  const [year, month] = period.split('-').map(Number);
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', { year: '2-digit', month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 1)));
}

export async function render(view, ctx) {
  const own = ctx.session.account.agency;
  const chooses = ctx.hasRole('reviewer', 'operator');
  const year = ctx.query.get('year') ?? chinaMonth(new Date()).slice(0, 4);
  const months = [6, 12].includes(Number(ctx.query.get('months'))) ? Number(ctx.query.get('months')) : 6;
  const body = h('div', null, loading());
  fill(view, pageHeader(t('scorecards.title')), h('p', { class: 'muted' }, t('scorecards.intro')), body);

  let yearCards;
  try {
    yearCards = await get(`/api/scorecards${qs({ period: year })}`);
  } catch (error) {
    fill(body, errorBox(error));
    return;
  }
  const providers = yearCards.providers;
  const chosen = chooses ? (ctx.query.get('agency') ?? providers[0]?.agency ?? '') : own.code;

  const agency = chooses
    ? select(providers.map((p) => ({ value: p.agency, label: localName(p.name) })), chosen, { name: 'agency' })
    : null;
  const monthSelect = select([6, 12].map((n) => ({ value: n, label: t('scorecards.monthsN', { n }) })), months, { name: 'months' });
  const thisYear = Number(chinaMonth(new Date()).slice(0, 4));
  const yearSelect = select([0, 1, 2].map((back) => ({ value: thisYear - back, label: String(thisYear - back) })), year, { name: 'year' });
  const form = h('form', {
    class: 'filters',
    on: {
      submit: (event) => {
        event.preventDefault();
        ctx.navigate(`#/scorecards${qs({ agency: agency?.value, months: monthSelect.value, year: yearSelect.value })}`);
      },
    },
  }, agency ? field(t('scorecards.agency'), agency) : null, field(t('scorecards.months'), monthSelect), field(t('scorecards.year'), yearSelect),
  h('button', { type: 'submit', class: 'primary' }, t('scorecards.show')));

  const card = providers.find((p) => p.agency === chosen);
  const charts = h('div', { class: 'chart-grid' }, loading());
  fill(body, form,
    !chooses ? h('p', null, h('strong', null, localName(own))) : null,
    card ? charts : h('div', { class: 'alert alert-info' }, t('scorecards.noProviders')),
    card ? summary(card, yearCards, providersNames(yearCards)) : null,
    ctx.hasRole('operator') ? reportSection(year) : null);
  if (!card) return;

  try {
    const periods = lastMonths(months);
    const cards = await Promise.all(periods.map((period) => get(`/api/scorecards${qs({ period, agency: chooses ? chosen : undefined })}`)
      .then((c) => c.providers.find((p) => p.agency === chosen) ?? null)));
    const labels = periods.map(monthLabel);
    const pick = (fn) => cards.map((c) => (c ? fn(c) : null));
    fill(charts,
      h('section', { class: 'card' }, lineChart({
        title: t('scorecards.onTime'), labels, xTitle: t('scorecards.month'), emptyText: t('scorecards.noData'), max: 1, format: (v) => fmtPercent(v, 0),
        series: [{ label: t('scorecards.onTimeRate'), values: pick((c) => c.deadlines.onTimeRate) }],
      })),
      h('section', { class: 'card' }, barChart({
        title: t('scorecards.deliveries'), labels, xTitle: t('scorecards.month'),
        series: [
          { label: t('scorecards.deliveriesAll'), values: pick((c) => c.deliveries.deliveries) },
          { label: t('scorecards.refused'), values: pick((c) => c.deliveries.refused + c.deliveries.failed) },
        ],
      })),
      h('section', { class: 'card' }, barChart({
        title: t('scorecards.use'), labels, xTitle: t('scorecards.month'),
        series: [{ label: t('scorecards.requests'), values: pick((c) => c.use.requests) }],
      })),
      h('section', { class: 'card' }, barChart({
        title: t('scorecards.mismatches'), labels, xTitle: t('scorecards.month'),
        series: [
          { label: t('scorecards.reported'), values: pick((c) => c.mismatches.reported) },
          { label: t('scorecards.resolved'), values: pick((c) => c.mismatches.resolved) },
          { label: t('scorecards.overdueReports'), values: pick((c) => c.mismatches.overdue) },
        ],
      })));
  } catch (error) {
    fill(charts, errorBox(error));
  }
}

function providersNames(cards) {
  const map = new Map();
  for (const p of cards.providers) map.set(p.agency, p.name);
  for (const c of cards.consumers) if (c.name) map.set(c.agency, c.name);
  return (code) => (map.has(code) ? localName(map.get(code)) : code);
}

function summary(card, cards, agencyName) {
  const d = card.deliveries;
  const figures = [
    [t('scorecards.fig.deliveries'), fmtNumber(d.deliveries)],
    [t('scorecards.fig.rowsProvided'), fmtNumber(d.rowsProvided)],
    [t('scorecards.fig.quarantineRate'), fmtPercent(d.quarantineRate, 2)],
    [t('scorecards.fig.deadlines'), `${fmtNumber(card.deadlines.met)} / ${fmtNumber(card.deadlines.missed)}`],
    [t('scorecards.fig.onTimeRate'), fmtPercent(card.deadlines.onTimeRate)],
    [t('scorecards.fig.freshness'), [card.freshness.fresh, card.freshness.due, card.freshness.overdue, card.freshness.delinquent].map((n) => fmtNumber(n)).join(' / ')],
    [t('scorecards.fig.mismatches'), [card.mismatches.reported, card.mismatches.resolved, card.mismatches.open, card.mismatches.overdue].map((n) => fmtNumber(n)).join(' / ')],
    [t('scorecards.fig.median'), fmtNumber(card.mismatches.medianWorkingDaysToResolve, { maximumFractionDigits: 1 })],
    [t('scorecards.fig.use'), [card.use.agencies, card.use.requests, card.use.rowsServed].map((n) => fmtNumber(n)).join(' / ')],
  ];
  const state = (s) => (has(`scorecards.state.${s}`) ? t(`scorecards.state.${s}`) : s);
  return h('section', { class: 'card' },
    h('h2', null, t('scorecards.summary', { period: cards.period, asOf: fmtDateTime(cards.asOf) })),
    h('dl', { class: 'props' }, figures.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
    h('h3', null, t('scorecards.byAgency')),
    table([
      { label: t('scorecards.col.agency'), render: (u) => agencyName(u.agency) },
      { label: t('scorecards.col.requests'), align: 'right', render: (u) => fmtNumber(u.requests) },
      { label: t('scorecards.col.rows'), align: 'right', render: (u) => fmtNumber(u.rowsServed) },
    ], card.use.byAgency ?? []),
    h('h3', null, t('scorecards.datasets')),
    table([
      { label: t('scorecards.col.entry'), render: (e) => `${localName(e.name)} (${e.entryId})` },
      { label: t('scorecards.col.state'), render: (e) => state(e.state) },
      { label: t('scorecards.col.deliveries'), align: 'right', render: (e) => fmtNumber(e.deliveries.deliveries) },
      { label: t('scorecards.col.onTime'), align: 'right', render: (e) => fmtPercent(e.deadlines.onTimeRate) },
      { label: t('scorecards.col.reports'), align: 'right', render: (e) => fmtNumber(e.mismatches.reported) },
    ], card.datasets ?? []));
}

function reportSection(year) {
  const path = `/api/scorecards/report${qs({ period: year, lang: lang() === 'en' ? 'en' : undefined })}`;
  const holder = h('div');
  const toggle = h('button', {
    type: 'button', class: 'secondary', 'aria-expanded': 'false',
    on: {
      click: () => {
        const open = toggle.getAttribute('aria-expanded') === 'true';
        toggle.setAttribute('aria-expanded', String(!open));
        toggle.textContent = t(open ? 'scorecards.reportShow' : 'scorecards.reportHide');
        // The report is the API's own HTML page: shown sandboxed (no scripts), from this host only.
        fill(holder, open ? null : h('iframe', { class: 'report-frame', src: path, sandbox: '', title: t('scorecards.reportFrame', { period: year }) }));
      },
    },
  }, t('scorecards.reportShow'));
  const save = h('button', {
    type: 'button', class: 'primary',
    on: { click: () => busy(save, () => download('GET', path, undefined, `evaluation-report-${year}.html`)) },
  }, t('scorecards.reportDownload'));
  return h('section', { class: 'card report' },
    h('h2', null, t('scorecards.report'), ' ', year),
    h('p', { class: 'muted' }, t('scorecards.reportIntro')),
    h('div', { class: 'row' }, toggle, save),
    holder);
}
