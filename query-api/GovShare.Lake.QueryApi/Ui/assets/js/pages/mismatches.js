// Mismatch reports: the review queue (filters, paging, due dates) and one report's detail with both values side by side, the
// classifier's finding in words, the history, and the steps the account's roles allow. A step's answer is the report as it
// now stands: the detail redraws from it, and the queue is read again whenever it is shown.
import { t, addStrings, fmtNumber, fmtDate, fmtDateTime, fmtPercent, localName, lang, has } from '../i18n.js';
import { get, post, qs } from '../api.js';
import { h, fill, pageHeader, table, pager, badge, field, select, loading, errorBox, errorText, toast, dialog, busy, dueClass } from '../ui.js';

const STATUSES = ['awaiting_review', 'reported', 'in_verification', 'corrected', 'rejected', 'insufficient_information', 'wrong_provider', 'withdrawn', 'dismissed'];
const CLASSES = ['material_conflict', 'mis_keyed', 'minor_variant', 'equivalent', 'missing'];
const DATABASES = ['population', 'legal_entity', 'geo', 'licence'];
const PAGE = 50;

addStrings({
  zh: {
    'mismatches.title': '数据纠错',
    'mismatches.intro': '共享数据纠错报告：一致性检查发现的差异先由数据质量审核员审核，确认后交提供部门在 3 个工作日内核实。',
    'mismatches.filters': '筛选',
    'mismatches.status': '状态',
    'mismatches.class': '差异分类',
    'mismatches.baseDatabase': '基础库',
    'mismatches.provider': '提供部门',
    'mismatches.entry': '目录资源',
    'mismatches.entryHint': '资源编号，如 hrss.insured',
    'mismatches.source': '来源',
    'mismatches.openOnly': '仅未办结',
    'mismatches.escalatedOnly': '仅已超期督办',
    'mismatches.sort': '排序',
    'mismatches.apply': '查询',
    'mismatches.reset': '清除筛选',
    'mismatches.any': '全部',
    'mismatches.sort.due': '按核实期限',
    'mismatches.sort.-reported': '最新报告在前',
    'mismatches.sort.reported': '最早报告在前',
    'mismatches.sort.-score': '置信度高在前',
    'mismatches.source.consumer': '使用部门报告',
    'mismatches.source.check': '一致性检查',
    'mismatches.col.id': '编号',
    'mismatches.col.attribute': '数据项',
    'mismatches.col.entry': '资源',
    'mismatches.col.status': '状态',
    'mismatches.col.class': '分类',
    'mismatches.col.provider': '核实部门',
    'mismatches.col.reported': '报告时间',
    'mismatches.col.due': '核实期限',
    'mismatches.empty': '没有符合条件的纠错报告。',
    'mismatches.overdue': '已超期',
    'mismatches.dueSoon': '即将到期',
    'mismatches.escalated': '已督办',
    'mismatches.back': '返回纠错列表',
    'mismatches.detailTitle': '纠错报告 {id}',
    'mismatches.facts': '报告信息',
    'mismatches.key': '记录标识',
    'mismatches.baseTable': '基础表',
    'mismatches.reporter': '报告部门',
    'mismatches.alsoReportedBy': '其他报告部门',
    'mismatches.referenceDate': '参考日期',
    'mismatches.reporterReference': '报告方案号',
    'mismatches.note': '报告说明',
    'mismatches.reasons': '核实意见',
    'mismatches.correctingVersion': '更正后的表版本',
    'mismatches.routedFrom': '曾转交自',
    'mismatches.resolvedAt': '办结时间',
    'mismatches.comparison': '两个值的对比',
    'mismatches.doubted': '被质疑的值',
    'mismatches.doubtedFrom': '来自 {entry}',
    'mismatches.reference': '对照值',
    'mismatches.referenceFrom': '来自 {entry}',
    'mismatches.referenceProposed': '报告方认为正确的值',
    'mismatches.raw': '原始值',
    'mismatches.normalised': '标准化后',
    'mismatches.missingValue': '（空）',
    'mismatches.finding': '分类器判断',
    'mismatches.noFinding': '这是使用部门提交的报告，没有一致性检查的分类结果。',
    'mismatches.score': '置信度',
    'mismatches.model': '模型版本',
    'mismatches.suggestedKey': '可能的正确标识',
    'mismatches.why': '判断依据（影响从大到小）',
    'mismatches.history': '处理记录',
    'mismatches.col.at': '时间',
    'mismatches.col.actor': '操作方',
    'mismatches.col.action': '操作',
    'mismatches.col.change': '状态变化',
    'mismatches.col.note': '说明',
    'mismatches.actions': '处理',
    'mismatches.noActions': '当前状态下您没有可执行的处理操作。',
    'mismatches.confirm': '确认差异',
    'mismatches.confirmTitle': '确认并交提供部门核实',
    'mismatches.confirmText': '确认后，报告将交 {provider} 在 3 个工作日内核实，查验结果会标注“核实中”。',
    'mismatches.confirmNote': '审核意见（可选）',
    'mismatches.confirmed': '已确认，报告已交提供部门核实。',
    'mismatches.dismiss': '驳回（无实质差异）',
    'mismatches.dismissTitle': '驳回报告',
    'mismatches.dismissReason': '驳回理由（必填，将作为分类器的训练标注）',
    'mismatches.dismissNeedsReason': '请填写驳回理由。',
    'mismatches.dismissed': '报告已驳回。',
    'mismatches.reroute': '转交其他资源',
    'mismatches.rerouteTitle': '转交给权威来源',
    'mismatches.rerouteEntry': '转交至（同一基础表的资源）',
    'mismatches.rerouteNote': '转交原因',
    'mismatches.rerouteNeedsEntry': '请选择要转交的资源。',
    'mismatches.rerouted': '报告已转交。',
    'mismatches.resolve': '答复核实结果',
    'mismatches.resolveTitle': '答复核实结果',
    'mismatches.outcome': '核实结论',
    'mismatches.resolveReasons': '理由或说明',
    'mismatches.resolveVersion': '包含更正的表版本号',
    'mismatches.resolveAuthoritative': '权威来源资源',
    'mismatches.resolveNeedsReasons': '驳回时必须写明理由。',
    'mismatches.resolveNeedsVersion': '已更正时必须填写表版本号。',
    'mismatches.resolveNeedsEntry': '请选择权威来源资源。',
    'mismatches.resolved': '已提交核实结果。',
    'mismatches.withdraw': '撤回报告',
    'mismatches.withdrawTitle': '撤回报告',
    'mismatches.withdrawNote': '撤回原因（可选）',
    'mismatches.withdrawn': '报告已撤回。',
    'mismatches.comment': '添加备注',
    'mismatches.commentLabel': '备注',
    'mismatches.commentSend': '发送备注',
    'mismatches.commentEmpty': '请先填写备注内容。',
    'mismatches.commented': '备注已添加。',
    'mismatches.status.awaiting_review': '待审核',
    'mismatches.status.reported': '已报告',
    'mismatches.status.in_verification': '核实中',
    'mismatches.status.corrected': '已更正',
    'mismatches.status.rejected': '提供部门不予更正',
    'mismatches.status.insufficient_information': '信息不足',
    'mismatches.status.wrong_provider': '非权威来源',
    'mismatches.status.withdrawn': '已撤回',
    'mismatches.status.dismissed': '已驳回',
    'mismatches.class.material_conflict': '实质冲突',
    'mismatches.class.mis_keyed': '标识录入错误',
    'mismatches.class.minor_variant': '写法差异',
    'mismatches.class.equivalent': '等价',
    'mismatches.class.missing': '缺失',
    'mismatches.action.reported': '报告',
    'mismatches.action.awaiting_review': '待审核',
    'mismatches.action.confirmed': '审核确认',
    'mismatches.action.dismissed': '审核驳回',
    'mismatches.action.in_verification': '交提供部门核实',
    'mismatches.action.corrected': '已更正',
    'mismatches.action.rejected': '不予更正',
    'mismatches.action.insufficient_information': '信息不足',
    'mismatches.action.wrong_provider': '非权威来源',
    'mismatches.action.rerouted': '转交',
    'mismatches.action.withdrawn': '撤回',
    'mismatches.action.reported_again': '再次报告',
    'mismatches.action.commented': '备注',
    'mismatches.action.reminded': '提醒',
    'mismatches.action.escalated': '超期督办',
    'mismatches.actor.platform': '平台',
    'mismatches.db.population': '人口库',
    'mismatches.db.legal_entity': '法人库',
    'mismatches.db.geo': '空间地理库',
    'mismatches.db.licence': '电子证照库',
  },
  en: {
    'mismatches.title': 'Mismatch reports',
    'mismatches.intro': 'Reports that a shared value is wrong: differences found by the consistency checks wait for a data-quality reviewer; once confirmed, the provider verifies them within 3 working days.',
    'mismatches.filters': 'Filters',
    'mismatches.status': 'Status',
    'mismatches.class': 'Class',
    'mismatches.baseDatabase': 'Base database',
    'mismatches.provider': 'Provider',
    'mismatches.entry': 'Catalogue entry',
    'mismatches.entryHint': 'Entry id, such as hrss.insured',
    'mismatches.source': 'Source',
    'mismatches.openOnly': 'Open only',
    'mismatches.escalatedOnly': 'Escalated (overdue) only',
    'mismatches.sort': 'Order',
    'mismatches.apply': 'Search',
    'mismatches.reset': 'Clear filters',
    'mismatches.any': 'Any',
    'mismatches.sort.due': 'By due date',
    'mismatches.sort.-reported': 'Newest first',
    'mismatches.sort.reported': 'Oldest first',
    'mismatches.sort.-score': 'Highest score first',
    'mismatches.source.consumer': 'Reported by an agency',
    'mismatches.source.check': 'Consistency check',
    'mismatches.col.id': 'Id',
    'mismatches.col.attribute': 'Attribute',
    'mismatches.col.entry': 'Entry',
    'mismatches.col.status': 'Status',
    'mismatches.col.class': 'Class',
    'mismatches.col.provider': 'Verifying agency',
    'mismatches.col.reported': 'Reported',
    'mismatches.col.due': 'Due',
    'mismatches.empty': 'No mismatch reports match.',
    'mismatches.overdue': 'Overdue',
    'mismatches.dueSoon': 'Due soon',
    'mismatches.escalated': 'Escalated',
    'mismatches.back': 'Back to the reports',
    'mismatches.detailTitle': 'Mismatch report {id}',
    'mismatches.facts': 'The report',
    'mismatches.key': 'Record key',
    'mismatches.baseTable': 'Base table',
    'mismatches.reporter': 'Reported by',
    'mismatches.alsoReportedBy': 'Also reported by',
    'mismatches.referenceDate': 'Reference date',
    'mismatches.reporterReference': 'Reporter\'s case number',
    'mismatches.note': 'Reporter\'s note',
    'mismatches.reasons': 'Provider\'s reasons',
    'mismatches.correctingVersion': 'Correcting table version',
    'mismatches.routedFrom': 'Rerouted from',
    'mismatches.resolvedAt': 'Closed',
    'mismatches.comparison': 'The two values',
    'mismatches.doubted': 'Value doubted',
    'mismatches.doubtedFrom': 'from {entry}',
    'mismatches.reference': 'Value compared with',
    'mismatches.referenceFrom': 'from {entry}',
    'mismatches.referenceProposed': 'the value the reporter holds to be right',
    'mismatches.raw': 'Raw',
    'mismatches.normalised': 'Normalised',
    'mismatches.missingValue': '(empty)',
    'mismatches.finding': 'The classifier\'s finding',
    'mismatches.noFinding': 'An agency filed this report: no consistency check classified it.',
    'mismatches.score': 'Score',
    'mismatches.model': 'Model version',
    'mismatches.suggestedKey': 'Likely right key',
    'mismatches.why': 'Why (strongest first)',
    'mismatches.history': 'History',
    'mismatches.col.at': 'When',
    'mismatches.col.actor': 'By',
    'mismatches.col.action': 'Step',
    'mismatches.col.change': 'Status',
    'mismatches.col.note': 'Note',
    'mismatches.actions': 'Actions',
    'mismatches.noActions': 'Nothing for you to do on this report as it stands.',
    'mismatches.confirm': 'Confirm',
    'mismatches.confirmTitle': 'Confirm and send to the provider',
    'mismatches.confirmText': 'Once confirmed, {provider} has 3 working days to verify it, and lookups mark the value as under investigation.',
    'mismatches.confirmNote': 'Reviewer\'s note (optional)',
    'mismatches.confirmed': 'Confirmed: the provider now verifies the report.',
    'mismatches.dismiss': 'Dismiss as benign',
    'mismatches.dismissTitle': 'Dismiss the report',
    'mismatches.dismissReason': 'Reason (required; kept as a label for the classifier)',
    'mismatches.dismissNeedsReason': 'Give a reason.',
    'mismatches.dismissed': 'Report dismissed.',
    'mismatches.reroute': 'Reroute',
    'mismatches.rerouteTitle': 'Send to the authoritative source',
    'mismatches.rerouteEntry': 'Send to (an entry of the same base table)',
    'mismatches.rerouteNote': 'Why',
    'mismatches.rerouteNeedsEntry': 'Choose an entry.',
    'mismatches.rerouted': 'Report rerouted.',
    'mismatches.resolve': 'Answer',
    'mismatches.resolveTitle': 'Answer the report',
    'mismatches.outcome': 'Outcome',
    'mismatches.resolveReasons': 'Reasons or what is missing',
    'mismatches.resolveVersion': 'Table version holding the correction',
    'mismatches.resolveAuthoritative': 'Authoritative entry',
    'mismatches.resolveNeedsReasons': 'A rejection needs reasons.',
    'mismatches.resolveNeedsVersion': 'A correction needs the table version.',
    'mismatches.resolveNeedsEntry': 'Choose the authoritative entry.',
    'mismatches.resolved': 'Answer sent.',
    'mismatches.withdraw': 'Withdraw',
    'mismatches.withdrawTitle': 'Withdraw the report',
    'mismatches.withdrawNote': 'Why (optional)',
    'mismatches.withdrawn': 'Report withdrawn.',
    'mismatches.comment': 'Add a comment',
    'mismatches.commentLabel': 'Comment',
    'mismatches.commentSend': 'Send comment',
    'mismatches.commentEmpty': 'Write the comment first.',
    'mismatches.commented': 'Comment added.',
    'mismatches.status.awaiting_review': 'Awaiting review',
    'mismatches.status.reported': 'Reported',
    'mismatches.status.in_verification': 'In verification',
    'mismatches.status.corrected': 'Corrected',
    'mismatches.status.rejected': 'Rejected by the provider',
    'mismatches.status.insufficient_information': 'Insufficient information',
    'mismatches.status.wrong_provider': 'Wrong provider',
    'mismatches.status.withdrawn': 'Withdrawn',
    'mismatches.status.dismissed': 'Dismissed',
    'mismatches.class.material_conflict': 'Material conflict',
    'mismatches.class.mis_keyed': 'Mis-keyed',
    'mismatches.class.minor_variant': 'Minor variant',
    'mismatches.class.equivalent': 'Equivalent',
    'mismatches.class.missing': 'Missing',
    'mismatches.action.reported': 'Reported',
    'mismatches.action.awaiting_review': 'Awaiting review',
    'mismatches.action.confirmed': 'Confirmed',
    'mismatches.action.dismissed': 'Dismissed',
    'mismatches.action.in_verification': 'Sent for verification',
    'mismatches.action.corrected': 'Corrected',
    'mismatches.action.rejected': 'Rejected',
    'mismatches.action.insufficient_information': 'Insufficient information',
    'mismatches.action.wrong_provider': 'Wrong provider',
    'mismatches.action.rerouted': 'Rerouted',
    'mismatches.action.withdrawn': 'Withdrawn',
    'mismatches.action.reported_again': 'Reported again',
    'mismatches.action.commented': 'Comment',
    'mismatches.action.reminded': 'Reminder',
    'mismatches.action.escalated': 'Escalated',
    'mismatches.actor.platform': 'Platform',
    'mismatches.db.population': 'Population',
    'mismatches.db.legal_entity': 'Legal entities',
    'mismatches.db.geo': 'Geography',
    'mismatches.db.licence': 'Licences',
  },
});

const statusKind = {
  awaiting_review: 'info', reported: 'info', in_verification: 'warn', corrected: 'ok', rejected: 'muted', insufficient_information: 'muted',
  wrong_provider: 'muted', withdrawn: 'muted', dismissed: 'muted',
};
const classKind = { material_conflict: 'bad', mis_keyed: 'warn', minor_variant: 'info', equivalent: 'ok', missing: 'warn' };

const label = (prefix, code) => (code && has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code ?? '—');
const statusBadge = (status) => badge(label('mismatches.status', status), statusKind[status] ?? 'info');
const classBadge = (cls) => (cls ? badge(label('mismatches.class', cls), classKind[cls] ?? 'info') : '—');

// The catalogue gives entry names and the providers; /api/agencies every agency's names (reporters are consumers too).
async function optional(path) {
  try {
    return await get(path);
  } catch {
    return [];
  }
}

function names(entries, everyAgency) {
  const entryNames = new Map(entries.map((e) => [e.id, e]));
  const providers = new Map(entries.map((e) => [e.agency.code, e.agency]));
  const all = new Map(everyAgency.map((a) => [a.code, { zh: a.nameZh, en: a.nameEn }]));
  return {
    entries,
    entry: (id) => (entryNames.has(id) ? `${localName(entryNames.get(id).name)} (${id})` : id),
    agency: (code) => (code === 'platform' ? t('mismatches.actor.platform')
      : all.has(code) ? localName(all.get(code)) : providers.has(code) ? localName(providers.get(code).name) : code),
    agencies: [...providers.values()],
  };
}

export async function render(view, ctx) {
  const [entries, agencies] = await Promise.all([optional('/api/catalogue'), optional('/api/agencies')]);
  const known = names(entries, agencies);
  if (ctx.params[0]) await renderDetail(view, ctx, ctx.params[0], known);
  else await renderList(view, ctx, known);
}

async function renderList(view, ctx, known) {
  const q = ctx.query;
  const state = {
    status: q.get('status') ?? '', class: q.get('class') ?? '', baseDatabase: q.get('baseDatabase') ?? '', provider: q.get('provider') ?? '',
    entry: q.get('entry') ?? '', source: q.get('source') ?? '', open: q.get('open') ?? '', escalated: q.get('escalated') ?? '',
    sort: q.get('sort') ?? 'due', offset: Number(q.get('offset') ?? 0) || 0,
  };
  const go = (changes) => {
    const next = { ...state, ...changes };
    if (next.sort === 'due') next.sort = '';
    if (!next.offset) next.offset = '';
    ctx.navigate(`#/mismatches${qs(next)}`);
  };
  const any = { value: '', label: t('mismatches.any') };
  const status = select([any, ...STATUSES.map((s) => ({ value: s, label: label('mismatches.status', s) }))], state.status, { name: 'status' });
  const cls = select([any, ...CLASSES.map((c) => ({ value: c, label: label('mismatches.class', c) }))], state.class, { name: 'class' });
  const database = select([any, ...DATABASES.map((d) => ({ value: d, label: label('mismatches.db', d) }))], state.baseDatabase, { name: 'baseDatabase' });
  const provider = select([any, ...known.agencies.map((a) => ({ value: a.code, label: localName(a.name) }))], state.provider, { name: 'provider' });
  const entry = h('input', { name: 'entry', value: state.entry, list: 'mismatch-entries', placeholder: t('mismatches.entryHint'), size: 18 });
  const entries = h('datalist', { id: 'mismatch-entries' }, known.entries.map((e) => h('option', { value: e.id }, localName(e.name))));
  const source = select([any, { value: 'check', label: t('mismatches.source.check') }, { value: 'consumer', label: t('mismatches.source.consumer') }], state.source, { name: 'source' });
  const sort = select(['due', '-reported', 'reported', '-score'].map((s) => ({ value: s, label: t(`mismatches.sort.${s}`) })), state.sort, { name: 'sort' });
  const open = h('input', { type: 'checkbox', name: 'open', checked: state.open === 'true' });
  const escalated = h('input', { type: 'checkbox', name: 'escalated', checked: state.escalated === 'true' });
  const form = h('form', {
    class: 'filters', 'aria-label': t('mismatches.filters'),
    on: {
      submit: (event) => {
        event.preventDefault();
        go({
          status: status.value, class: cls.value, baseDatabase: database.value, provider: provider.value, entry: entry.value.trim(), source: source.value,
          open: open.checked ? 'true' : '', escalated: escalated.checked ? 'true' : '', sort: sort.value, offset: 0,
        });
      },
    },
  },
  field(t('mismatches.status'), status), field(t('mismatches.class'), cls), field(t('mismatches.baseDatabase'), database),
  field(t('mismatches.provider'), provider), field(t('mismatches.entry'), entry), entries, field(t('mismatches.source'), source),
  field(t('mismatches.sort'), sort),
  h('div', { class: 'checks' },
    h('label', { class: 'check' }, open, t('mismatches.openOnly')),
    h('label', { class: 'check' }, escalated, t('mismatches.escalatedOnly'))),
  h('div', { class: 'row' },
    h('button', { type: 'submit', class: 'primary' }, t('mismatches.apply')),
    h('button', { type: 'button', class: 'secondary', on: { click: () => ctx.navigate('#/mismatches') } }, t('mismatches.reset'))));
  const results = h('div', { class: 'results' }, loading());
  fill(view, pageHeader(t('mismatches.title')), h('p', { class: 'muted' }, t('mismatches.intro')), form, results);

  try {
    const page = await get(`/api/mismatches${qs({
      status: state.status, class: state.class, baseDatabase: state.baseDatabase, provider: state.provider, entry: state.entry, source: state.source,
      open: state.open, escalated: state.escalated, sort: state.sort === 'due' ? '' : state.sort, limit: PAGE, offset: state.offset,
    })}`);
    const columns = [
      { label: t('mismatches.col.id'), render: (r) => h('a', { href: `#/mismatches/${encodeURIComponent(r.id)}` }, r.id) },
      { label: t('mismatches.col.attribute'), render: (r) => r.attribute },
      { label: t('mismatches.col.entry'), render: (r) => known.entry(r.entryId) },
      { label: t('mismatches.col.status'), render: (r) => h('span', { class: 'badges' }, statusBadge(r.status),
        r.overdue ? badge(t('mismatches.overdue'), 'bad') : null, r.escalated ? badge(t('mismatches.escalated'), 'bad') : null) },
      { label: t('mismatches.col.class'), render: (r) => classBadge(r.finding?.class) },
      { label: t('mismatches.col.provider'), render: (r) => known.agency(r.provider) },
      { label: t('mismatches.col.reported'), render: (r) => fmtDateTime(r.reportedAt) },
      { label: t('mismatches.col.due'), render: (r) => dueText(r) },
    ];
    fill(results,
      table(columns, page.items, {
        empty: t('mismatches.empty'), caption: t('mismatches.title'),
        // The id is the row's link: one tab stop per report.
        rowClass: (r) => (r.isOpen && r.status === 'in_verification' ? dueClass(r.due) : null),
      }),
      page.total > 0 ? pager({ offset: page.offset, limit: page.limit, total: page.total, count: page.items.length, onChange: (offset) => go({ offset }) }) : null);
  } catch (error) {
    fill(results, errorBox(error));
  }
}

function dueText(report) {
  if (!report.due) return '—';
  const when = dueClass(report.due);
  const open = report.isOpen && report.status === 'in_verification';
  return h('span', { class: open && when ? `${when}-text` : null }, fmtDate(report.due),
    open && when === 'overdue' ? ` · ${t('mismatches.overdue')}` : open && when === 'due-soon' ? ` · ${t('mismatches.dueSoon')}` : '');
}

async function renderDetail(view, ctx, id, known) {
  fill(view, loading());
  let report;
  try {
    report = await get(`/api/mismatches/${encodeURIComponent(id)}`);
  } catch (error) {
    fill(view, h('p', null, h('a', { href: '#/mismatches' }, `← ${t('mismatches.back')}`)), errorBox(error));
    return;
  }
  // The attribute's name in words, from the entry's schema (the report names the lake column).
  const detail = await get(`/api/catalogue/${encodeURIComponent(report.entryId)}`).catch(() => null);
  const column = new Map((detail?.schema ?? []).map((c) => [c.name, c]));
  const attribute = (name) => {
    const c = column.get(name);
    const words = c ? (lang() === 'zh' ? c.chinese : c.english) : null;
    return words ? `${words} (${name})` : name;
  };
  draw(view, ctx, report, { ...known, attribute });
}

function value(text) {
  return text === null || text === undefined || text === '' ? h('span', { class: 'muted' }, t('mismatches.missingValue')) : h('span', { class: 'value' }, text);
}

function draw(view, ctx, report, known) {
  const r = report;
  const facts = [
    [t('mismatches.col.status'), h('span', { class: 'badges', 'data-field': 'status' }, statusBadge(r.status),
      r.overdue ? badge(t('mismatches.overdue'), 'bad') : null, r.escalated ? badge(t('mismatches.escalated'), 'bad') : null)],
    [t('mismatches.col.entry'), known.entry(r.entryId)],
    [t('mismatches.baseTable'), r.baseTable],
    [t('mismatches.col.attribute'), known.attribute(r.attribute)],
    [t('mismatches.key'), h('code', null, r.key)],
    [t('mismatches.source'), r.source === 'consumer' ? t('mismatches.source.consumer') : `${t('mismatches.source.check')} (${r.source})`],
    [t('mismatches.reporter'), known.agency(r.reporter)],
    r.alsoReportedBy?.length ? [t('mismatches.alsoReportedBy'), r.alsoReportedBy.map(known.agency).join('、')] : null,
    [t('mismatches.col.provider'), known.agency(r.provider)],
    [t('mismatches.col.reported'), fmtDateTime(r.reportedAt)],
    [t('mismatches.col.due'), dueText(r)],
    r.resolvedAt ? [t('mismatches.resolvedAt'), fmtDateTime(r.resolvedAt)] : null,
    r.referenceDate ? [t('mismatches.referenceDate'), fmtDate(r.referenceDate)] : null,
    r.reporterReference ? [t('mismatches.reporterReference'), r.reporterReference] : null,
    r.note ? [t('mismatches.note'), r.note] : null,
    r.reasons ? [t('mismatches.reasons'), r.reasons] : null,
    r.correctingVersion !== null && r.correctingVersion !== undefined ? [t('mismatches.correctingVersion'), fmtNumber(r.correctingVersion)] : null,
    r.routedFrom?.length ? [t('mismatches.routedFrom'), r.routedFrom.map(known.entry).join('、')] : null,
  ].filter(Boolean);

  const c = r.comparison ?? {};
  const side = (title, from, raw, normalised, name) => h('section', { class: 'card compare-side', 'aria-label': title, dataset: { side: name } },
    h('h3', null, title), h('p', { class: 'muted' }, from),
    h('dl', { class: 'props' },
      h('dt', null, t('mismatches.raw')), h('dd', { class: 'raw' }, value(raw)),
      normalised !== null && normalised !== undefined ? [h('dt', null, t('mismatches.normalised')), h('dd', { class: 'normalised' }, value(normalised))] : null));
  const comparison = h('div', { class: 'grid-2 compare' },
    side(t('mismatches.doubted'), t('mismatches.doubtedFrom', { entry: known.entry(r.entryId) }), c.doubted, c.doubtedNormalised, 'doubted'),
    side(t('mismatches.reference'), c.referenceEntry ? t('mismatches.referenceFrom', { entry: known.entry(c.referenceEntry) }) : t('mismatches.referenceProposed'),
      c.reference, c.referenceNormalised, 'reference'));

  const f = r.finding;
  const finding = f
    ? h('section', { class: 'card finding' },
      h('h2', null, t('mismatches.finding')),
      h('p', null, classBadge(f.class), ' ', t('mismatches.score'), ' ', fmtPercent(f.score)),
      h('p', { class: 'explanation' }, lang() === 'zh' ? f.explanationZh : f.explanationEn),
      f.reasons?.length ? [h('h3', null, t('mismatches.why')), h('ul', null, f.reasons.map((reason) => h('li', null, lang() === 'zh' ? reason.zh : reason.en)))] : null,
      h('dl', { class: 'props' },
        h('dt', null, t('mismatches.model')), h('dd', null, f.modelVersion),
        f.suggestedKey ? [h('dt', null, t('mismatches.suggestedKey')), h('dd', null, h('code', null, f.suggestedKey))] : null))
    : h('section', { class: 'card finding' }, h('h2', null, t('mismatches.finding')), h('p', { class: 'muted' }, t('mismatches.noFinding')));

  const history = table([
    { label: t('mismatches.col.at'), render: (e) => fmtDateTime(e.at) },
    { label: t('mismatches.col.actor'), render: (e) => known.agency(e.actor) },
    { label: t('mismatches.col.action'), render: (e) => label('mismatches.action', e.action) },
    { label: t('mismatches.col.change'), render: (e) => (e.from && e.from !== e.to ? `${label('mismatches.status', e.from)} → ${label('mismatches.status', e.to)}` : label('mismatches.status', e.to)) },
    { label: t('mismatches.col.note'), render: (e) => e.note ?? '' },
  ], r.history ?? [], { caption: t('mismatches.history') });

  const redraw = (updated, message) => {
    toast(message);
    draw(view, ctx, updated, known);
    view.querySelector('h1')?.focus();
  };

  fill(view,
    h('p', null, h('a', { href: '#/mismatches' }, `← ${t('mismatches.back')}`)),
    pageHeader(t('mismatches.detailTitle', { id: r.id })),
    h('section', { class: 'card' }, h('h2', null, t('mismatches.facts')), h('dl', { class: 'props' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]))),
    h('h2', null, t('mismatches.comparison')),
    comparison,
    finding,
    actions(ctx, r, known, redraw),
    h('h2', null, t('mismatches.history')),
    history);
}

function actions(ctx, r, known, redraw) {
  const account = ctx.session.account;
  const mine = account.agency.code;
  const buttons = [];
  const reviewer = ctx.hasRole('reviewer', 'operator');
  const act = (button, path, body, message) => busy(button, async () => redraw(await post(`/api/mismatches/${encodeURIComponent(r.id)}/${path}`, body), message));

  if (reviewer && r.status === 'awaiting_review') {
    const confirm = h('button', {
      type: 'button', class: 'primary',
      on: {
        click: async () => {
          const note = h('textarea', { rows: 2, name: 'note' });
          const chosen = await dialog(t('mismatches.confirmTitle'),
            [h('p', null, t('mismatches.confirmText', { provider: known.agency(r.provider) })), field(t('mismatches.confirmNote'), note)],
            [{ label: t('mismatches.confirm'), value: 'ok' }]);
          if (chosen) await act(confirm, 'confirmation', { note: note.value.trim() || null }, t('mismatches.confirmed'));
        },
      },
    }, t('mismatches.confirm'));
    const dismiss = h('button', {
      type: 'button', class: 'secondary',
      on: {
        click: async () => {
          const reason = h('textarea', { rows: 3, name: 'reason', required: true });
          const chosen = await dialog(t('mismatches.dismissTitle'), field(t('mismatches.dismissReason'), reason),
            [{ label: t('mismatches.dismiss'), value: 'ok', kind: 'danger', validate: () => (reason.value.trim() ? null : t('mismatches.dismissNeedsReason')) }]);
          if (chosen) await act(dismiss, 'dismissal', { reason: reason.value.trim() }, t('mismatches.dismissed'));
        },
      },
    }, t('mismatches.dismiss'));
    buttons.push(confirm, dismiss);
  }

  if (reviewer && (r.status === 'awaiting_review' || r.status === 'in_verification')) {
    const reroute = h('button', {
      type: 'button', class: 'secondary',
      on: {
        click: async () => {
          const candidates = known.entries.filter((e) => e.kind === 'dataset' && e.target === r.baseTable && e.id !== r.entryId);
          const entry = select([{ value: '', label: '—' }, ...candidates.map((e) => ({ value: e.id, label: known.entry(e.id) }))], '', { name: 'entry' });
          const note = h('textarea', { rows: 2, name: 'note' });
          const chosen = await dialog(t('mismatches.rerouteTitle'), [field(t('mismatches.rerouteEntry'), entry), field(t('mismatches.rerouteNote'), note)],
            [{ label: t('mismatches.reroute'), value: 'ok', validate: () => (entry.value ? null : t('mismatches.rerouteNeedsEntry')) }]);
          if (chosen) await act(reroute, 'reroute', { entryId: entry.value, note: note.value.trim() || null }, t('mismatches.rerouted'));
        },
      },
    }, t('mismatches.reroute'));
    buttons.push(reroute);
  }

  if (ctx.hasRole('provider_admin') && r.status === 'in_verification' && r.provider === mine) {
    const resolve = h('button', {
      type: 'button', class: 'primary',
      on: {
        click: async () => {
          const outcomes = ['corrected', 'rejected', 'insufficient_information', 'wrong_provider'];
          const outcome = select(outcomes.map((o) => ({ value: o, label: label('mismatches.status', o) })), 'corrected', { name: 'outcome' });
          const reasons = h('textarea', { rows: 3, name: 'reasons' });
          const version = h('input', { type: 'number', min: 0, step: 1, name: 'version' });
          const candidates = known.entries.filter((e) => e.kind === 'dataset' && e.target === r.baseTable && e.id !== r.entryId);
          const authoritative = select([{ value: '', label: '—' }, ...candidates.map((e) => ({ value: e.id, label: known.entry(e.id) }))], '', { name: 'authoritative' });
          const chosen = await dialog(t('mismatches.resolveTitle'),
            [field(t('mismatches.outcome'), outcome), field(t('mismatches.resolveVersion'), version), field(t('mismatches.resolveReasons'), reasons),
              field(t('mismatches.resolveAuthoritative'), authoritative)],
            [{
              label: t('mismatches.resolve'), value: 'ok',
              validate: () => {
                if (outcome.value === 'corrected' && version.value === '') return t('mismatches.resolveNeedsVersion');
                if (outcome.value === 'rejected' && !reasons.value.trim()) return t('mismatches.resolveNeedsReasons');
                if (outcome.value === 'wrong_provider' && !authoritative.value) return t('mismatches.resolveNeedsEntry');
                return null;
              },
            }]);
          if (chosen) {
            await act(resolve, 'resolution', {
              outcome: outcome.value, reasons: reasons.value.trim() || null, correctingVersion: version.value === '' ? null : Number(version.value),
              authoritativeEntryId: authoritative.value || null,
            }, t('mismatches.resolved'));
          }
        },
      },
    }, t('mismatches.resolve'));
    buttons.push(resolve);
  }

  if (ctx.hasRole('analyst') && r.isOpen && r.reporter === mine && r.source === 'consumer') {
    const withdraw = h('button', {
      type: 'button', class: 'secondary',
      on: {
        click: async () => {
          const note = h('textarea', { rows: 2, name: 'note' });
          const chosen = await dialog(t('mismatches.withdrawTitle'), field(t('mismatches.withdrawNote'), note), [{ label: t('mismatches.withdraw'), value: 'ok', kind: 'danger' }]);
          if (chosen) await act(withdraw, 'withdrawal', { note: note.value.trim() || null }, t('mismatches.withdrawn'));
        },
      },
    }, t('mismatches.withdraw'));
    buttons.push(withdraw);
  }

  const comment = h('textarea', { rows: 2, name: 'comment' });
  const problem = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const send = h('button', { type: 'submit', class: 'secondary' }, t('mismatches.commentSend'));
  const form = h('form', {
    class: 'comment-form',
    on: {
      submit: async (event) => {
        event.preventDefault();
        problem.hidden = true;
        if (!comment.value.trim()) {
          problem.textContent = t('mismatches.commentEmpty');
          problem.hidden = false;
          return;
        }
        send.disabled = true;
        try {
          redraw(await post(`/api/mismatches/${encodeURIComponent(r.id)}/comments`, { note: comment.value.trim() }), t('mismatches.commented'));
        } catch (error) {
          problem.textContent = errorText(error);
          problem.hidden = false;
        } finally {
          send.disabled = false;
        }
      },
    },
  }, h('h3', null, t('mismatches.comment')), problem, field(t('mismatches.commentLabel'), comment), send);

  return h('section', { class: 'card actions-card', 'aria-label': t('mismatches.actions') },
    h('h2', null, t('mismatches.actions')),
    buttons.length ? h('div', { class: 'row' }, buttons) : h('p', { class: 'muted' }, t('mismatches.noActions')),
    form);
}
