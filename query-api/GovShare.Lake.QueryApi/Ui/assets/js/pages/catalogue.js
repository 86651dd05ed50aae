// The catalogue: every dataset and theme with its sharing class, provider, update deadline and freshness, searchable and
// filtered; an entry's page with its schema, legal basis, revisions and the lake versions that changed it, and for a
// conditional entry the agency cannot read yet, a way to request access.
import { t, addStrings, fmtNumber, fmtDateTime, localName, has } from '../i18n.js';
import { get, qs } from '../api.js';
import { h, fill, pageHeader, table, badge, field, select, loading, errorBox } from '../ui.js';

addStrings({
  zh: {
    'catalogue.title': '资源目录',
    'catalogue.intro': '各部门共享的数据资源及其共享属性、更新要求和本部门的访问权限。',
    'catalogue.search': '搜索',
    'catalogue.searchPlaceholder': '名称、说明或编号',
    'catalogue.baseDatabase': '基础库',
    'catalogue.sharingClass': '共享类型',
    'catalogue.provider': '提供部门',
    'catalogue.freshness': '更新时效',
    'catalogue.all': '全部',
    'catalogue.apply': '查询',
    'catalogue.reset': '清空条件',
    'catalogue.count': '共 {n} 项资源',
    'catalogue.empty': '没有符合条件的资源。',
    'catalogue.col.name': '资源名称',
    'catalogue.col.id': '编号',
    'catalogue.col.kind': '类别',
    'catalogue.col.deadline': '更新要求',
    'catalogue.col.lastDelivery': '最近交付',
    'catalogue.col.access': '本部门权限',
    'catalogue.kind.dataset': '部门数据集',
    'catalogue.kind.theme': '主题库',
    'catalogue.db.population': '人口库',
    'catalogue.db.legal_entity': '法人库',
    'catalogue.db.geo': '空间地理库',
    'catalogue.db.licence': '电子证照库',
    'catalogue.db.themes': '主题库',
    'catalogue.class.unconditional': '无条件共享',
    'catalogue.class.conditional': '有条件共享',
    'catalogue.class.not_shared': '不予共享',
    'catalogue.deadline.real_time': '实时更新',
    'catalogue.deadline.within_3_days': '3 个工作日内',
    'catalogue.deadline.quarterly': '按季度',
    'catalogue.fresh.fresh': '按时',
    'catalogue.fresh.due': '临近期限',
    'catalogue.fresh.overdue': '已逾期',
    'catalogue.fresh.delinquent': '严重逾期',
    'catalogue.fresh.unknown': '尚未检查',
    'catalogue.access.readable': '可访问',
    'catalogue.access.masked': '可访问（部分脱敏）',
    'catalogue.access.partial': '可访问（部分字段）',
    'catalogue.access.denied': '未授权',
    'catalogue.back': '返回资源目录',
    'catalogue.notFound': '目录中没有该资源。',
    'catalogue.overview': '基本信息',
    'catalogue.description': '说明',
    'catalogue.legalBasis': '共享依据',
    'catalogue.conditions': '共享条件',
    'catalogue.target': '对应基础表',
    'catalogue.key': '主键',
    'catalogue.provision': '提供方式',
    'catalogue.authoritative': '权威字段',
    'catalogue.themes': '所属主题',
    'catalogue.lastDelivery': '最近交付',
    'catalogue.deliverySummary': '{file}：入库 {accepted} 条，隔离 {quarantined} 条（{at}）',
    'catalogue.freshnessState': '时效状态',
    'catalogue.deadlineAt': '下一期限',
    'catalogue.checkedAt': '检查时间 {at}',
    'catalogue.none': '无',
    'catalogue.schema': '数据结构',
    'catalogue.col.column': '字段',
    'catalogue.col.type': '类型',
    'catalogue.col.chinese': '中文名',
    'catalogue.col.description': '说明',
    'catalogue.col.source': '来源字段',
    'catalogue.col.required': '标注',
    'catalogue.change.created': '创建',
    'catalogue.required': '必填',
    'catalogue.masked': '脱敏',
    'catalogue.notReadable': '未授权',
    'catalogue.sql': '主题定义（SQL）',
    'catalogue.revisions': '目录修订记录',
    'catalogue.col.revision': '修订',
    'catalogue.col.validFrom': '生效时间',
    'catalogue.col.changes': '变更内容',
    'catalogue.versions': '数据版本',
    'catalogue.versionsIntro': '改变了该资源数据表的湖版本（最新在前）。在 SQL 查询中可选择这些版本查询历史数据。',
    'catalogue.col.lakeVersion': '湖版本',
    'catalogue.col.tableVersion': '表版本',
    'catalogue.col.committedAt': '提交时间',
    'catalogue.access': '访问权限',
    'catalogue.accessReadable': '本部门可以查询该资源。',
    'catalogue.accessDenied': '本部门尚无权访问该资源。',
    'catalogue.requestAccess': '申请共享',
    'catalogue.openRequests': '查看本部门的申请',
    'catalogue.requestOpen': '已提交申请，状态：{status}',
    'catalogue.status.pending': '待审核',
    'catalogue.status.escalated': '已提请平台裁决',
    'catalogue.querySql': '在 SQL 查询中打开',
    'catalogue.provision.online_query': '在线查询',
    'catalogue.provision.bulk_download': '批量下载',
    'catalogue.provision.bulk_export': '批量导出',
    'catalogue.provision.api': '接口服务',
    'catalogue.provision.front_end_exchange': '前置机交换',
  },
  en: {
    'catalogue.title': 'Catalogue',
    'catalogue.intro': 'The data resources agencies share, their sharing terms, update deadlines and what your agency may read.',
    'catalogue.search': 'Search',
    'catalogue.searchPlaceholder': 'Name, description or id',
    'catalogue.baseDatabase': 'Base database',
    'catalogue.sharingClass': 'Sharing class',
    'catalogue.provider': 'Provider',
    'catalogue.freshness': 'Freshness',
    'catalogue.all': 'All',
    'catalogue.apply': 'Search',
    'catalogue.reset': 'Clear filters',
    'catalogue.count': '{n} resources',
    'catalogue.empty': 'No resource matches.',
    'catalogue.col.name': 'Resource',
    'catalogue.col.id': 'Id',
    'catalogue.col.kind': 'Kind',
    'catalogue.col.deadline': 'Update deadline',
    'catalogue.col.lastDelivery': 'Last delivery',
    'catalogue.col.access': 'Your access',
    'catalogue.kind.dataset': 'Dataset',
    'catalogue.kind.theme': 'Theme',
    'catalogue.db.population': 'Population',
    'catalogue.db.legal_entity': 'Legal entities',
    'catalogue.db.geo': 'Geography',
    'catalogue.db.licence': 'Licences',
    'catalogue.db.themes': 'Themes',
    'catalogue.class.unconditional': 'Unconditional',
    'catalogue.class.conditional': 'Conditional',
    'catalogue.class.not_shared': 'Not shared',
    'catalogue.deadline.real_time': 'Real time',
    'catalogue.deadline.within_3_days': 'Within 3 working days',
    'catalogue.deadline.quarterly': 'Quarterly',
    'catalogue.fresh.fresh': 'On time',
    'catalogue.fresh.due': 'Due soon',
    'catalogue.fresh.overdue': 'Overdue',
    'catalogue.fresh.delinquent': 'Delinquent',
    'catalogue.fresh.unknown': 'Not checked yet',
    'catalogue.access.readable': 'Readable',
    'catalogue.access.masked': 'Readable (some fields masked)',
    'catalogue.access.partial': 'Readable (some fields)',
    'catalogue.access.denied': 'Not granted',
    'catalogue.back': 'Back to the catalogue',
    'catalogue.notFound': 'The catalogue has no such resource.',
    'catalogue.overview': 'Overview',
    'catalogue.description': 'Description',
    'catalogue.legalBasis': 'Legal basis',
    'catalogue.conditions': 'Conditions',
    'catalogue.target': 'Base table',
    'catalogue.key': 'Key',
    'catalogue.provision': 'Provided as',
    'catalogue.authoritative': 'Authoritative for',
    'catalogue.themes': 'Themes',
    'catalogue.lastDelivery': 'Last delivery',
    'catalogue.deliverySummary': '{file}: {accepted} rows accepted, {quarantined} quarantined ({at})',
    'catalogue.freshnessState': 'Freshness',
    'catalogue.deadlineAt': 'Next deadline',
    'catalogue.checkedAt': 'checked {at}',
    'catalogue.none': 'None',
    'catalogue.schema': 'Schema',
    'catalogue.col.column': 'Column',
    'catalogue.col.type': 'Type',
    'catalogue.col.chinese': 'Chinese name',
    'catalogue.col.description': 'Description',
    'catalogue.col.source': 'Source column',
    'catalogue.col.required': 'Notes',
    'catalogue.change.created': 'Created',
    'catalogue.required': 'Required',
    'catalogue.masked': 'Masked',
    'catalogue.notReadable': 'Not granted',
    'catalogue.sql': 'Theme definition (SQL)',
    'catalogue.revisions': 'Catalogue revisions',
    'catalogue.col.revision': 'Revision',
    'catalogue.col.validFrom': 'In force from',
    'catalogue.col.changes': 'Changes',
    'catalogue.versions': 'Data versions',
    'catalogue.versionsIntro': 'Lake versions that changed this resource\'s table, newest first. The SQL console can query any of them.',
    'catalogue.col.lakeVersion': 'Lake version',
    'catalogue.col.tableVersion': 'Table version',
    'catalogue.col.committedAt': 'Committed',
    'catalogue.access': 'Access',
    'catalogue.accessReadable': 'Your agency may query this resource.',
    'catalogue.accessDenied': 'Your agency may not read this resource yet.',
    'catalogue.requestAccess': 'Request access',
    'catalogue.openRequests': 'Your agency\'s requests',
    'catalogue.requestOpen': 'Access requested; status: {status}',
    'catalogue.status.pending': 'Pending',
    'catalogue.status.escalated': 'Escalated to the operator',
    'catalogue.querySql': 'Open in the SQL console',
    'catalogue.provision.online_query': 'Online query',
    'catalogue.provision.bulk_download': 'Bulk download',
    'catalogue.provision.bulk_export': 'Bulk export',
    'catalogue.provision.api': 'API',
    'catalogue.provision.front_end_exchange': 'Front-end exchange',
  },
});

const baseDatabases = ['population', 'legal_entity', 'geo', 'licence', 'themes'];
const sharingClasses = ['unconditional', 'conditional', 'not_shared'];
const freshnessStates = ['fresh', 'due', 'overdue', 'delinquent'];

/** A translated code, or the code itself when no translation exists (a value added to the API later). */
function code(prefix, value) {
  if (value === null || value === undefined || value === '') return '—';
  return has(`${prefix}.${value}`) ? t(`${prefix}.${value}`) : value;
}

function classBadge(value) {
  return badge(code('catalogue.class', value), value === 'unconditional' ? 'ok' : value === 'conditional' ? 'warn' : 'bad');
}

function freshnessBadge(state) {
  if (!state) return badge(t('catalogue.fresh.unknown'), 'muted');
  return badge(code('catalogue.fresh', state), state === 'fresh' ? 'ok' : state === 'due' ? 'warn' : 'bad');
}

/** The agency's access to an entry: { kind: readable|masked|partial|denied, masked: [...], fields }. */
function accessOf(entry, access) {
  const map = entry.kind === 'theme' ? access.themes : access.datasets;
  const grant = map?.[entry.id];
  if (!grant) return { kind: 'denied', masked: [], fields: [] };
  if (grant.fields) return { kind: 'partial', masked: grant.masked ?? [], fields: grant.fields };
  if (grant.masked?.length) return { kind: 'masked', masked: grant.masked, fields: null };
  return { kind: 'readable', masked: [], fields: null };
}

function accessBadge(kind) {
  return badge(t(`catalogue.access.${kind}`), kind === 'denied' ? 'muted' : kind === 'readable' ? 'ok' : 'info');
}

export async function render(view, ctx) {
  if (ctx.params[0]) {
    await renderEntry(view, ctx, ctx.params[0]);
    return;
  }
  await renderList(view, ctx);
}

async function renderList(view, ctx) {
  const state = {
    q: ctx.query.get('q') ?? '',
    baseDatabase: ctx.query.get('baseDatabase') ?? '',
    sharingClass: ctx.query.get('sharingClass') ?? '',
    provider: ctx.query.get('provider') ?? '',
    freshness: ctx.query.get('freshness') ?? '',
  };
  const results = h('div', { class: 'catalogue-results' }, loading());
  fill(view, pageHeader(t('catalogue.title')), h('p', { class: 'muted', text: t('catalogue.intro') }));

  // The provider list comes from the whole catalogue; access and freshness apply to every search.
  let all, access, freshness;
  try {
    [all, access, freshness] = await Promise.all([get('/api/catalogue'), get('/api/access/me'), get('/api/freshness')]);
  } catch (error) {
    view.append(errorBox(error));
    return;
  }
  const freshnessByEntry = new Map(freshness.map((f) => [f.status?.entryId, f.status?.state]));
  const providers = new Map();
  for (const entry of all) providers.set(entry.agency.code, entry.agency);

  const search = h('input', { type: 'search', name: 'q', value: state.q, placeholder: t('catalogue.searchPlaceholder') });
  const option = (prefix, values) => [{ value: '', label: t('catalogue.all') }, ...values.map((v) => ({ value: v, label: t(`${prefix}.${v}`) }))];
  const dbSelect = select(option('catalogue.db', baseDatabases), state.baseDatabase, { name: 'baseDatabase' });
  const classSelect = select(option('catalogue.class', sharingClasses), state.sharingClass, { name: 'sharingClass' });
  const providerSelect = select([{ value: '', label: t('catalogue.all') },
    ...[...providers.values()].map((a) => ({ value: a.code, label: localName(a.name ?? a) }))], state.provider, { name: 'provider' });
  const freshSelect = select(option('catalogue.fresh', freshnessStates), state.freshness, { name: 'freshness' });

  // A slower earlier search must not overwrite a later one's answer.
  let latest = 0;
  async function load() {
    const token = ++latest;
    Object.assign(state, {
      q: search.value.trim(), baseDatabase: dbSelect.value, sharingClass: classSelect.value, provider: providerSelect.value, freshness: freshSelect.value,
    });
    // The filters stay in the address (replaceState: no re-render), so that a reload or a link keeps them.
    history.replaceState(null, '', `#/catalogue${qs(state)}`);
    fill(results, loading());
    try {
      const found = await get(`/api/catalogue${qs({ q: state.q, baseDatabase: state.baseDatabase, sharingClass: state.sharingClass, provider: state.provider })}`);
      if (token !== latest) return;
      const shown = state.freshness ? found.filter((e) => freshnessByEntry.get(e.id) === state.freshness) : found;
      fill(results,
        h('p', { class: 'muted', role: 'status' }, t('catalogue.count', { n: fmtNumber(shown.length) })),
        table([
          { label: t('catalogue.col.name'), render: (e) => h('a', { href: `#/catalogue/${encodeURIComponent(e.id)}` }, localName(e.name)) },
          { label: t('catalogue.col.id'), render: (e) => h('code', null, e.id) },
          { label: t('catalogue.baseDatabase'), render: (e) => code('catalogue.db', e.baseDatabase) },
          { label: t('catalogue.provider'), render: (e) => localName(e.agency.name ?? e.agency) },
          { label: t('catalogue.sharingClass'), render: (e) => classBadge(e.sharingClass) },
          { label: t('catalogue.col.deadline'), render: (e) => code('catalogue.deadline', e.updateDeadline) },
          { label: t('catalogue.freshness'), render: (e) => (e.kind === 'theme' ? '—' : freshnessBadge(freshnessByEntry.get(e.id))) },
          { label: t('catalogue.col.lastDelivery'), render: (e) => (e.lastDelivery ? fmtDateTime(e.lastDelivery.finishedAt) : '—') },
          { label: t('catalogue.col.access'), render: (e) => accessBadge(accessOf(e, access).kind) },
        ], shown, { empty: t('catalogue.empty') }));
    } catch (error) {
      if (token === latest) fill(results, errorBox(error));
    }
  }

  const form = h('form', {
    class: 'filters', role: 'search',
    on: { submit: (event) => { event.preventDefault(); load(); } },
  },
  field(t('catalogue.search'), search),
  field(t('catalogue.baseDatabase'), dbSelect),
  field(t('catalogue.sharingClass'), classSelect),
  field(t('catalogue.provider'), providerSelect),
  field(t('catalogue.freshness'), freshSelect),
  h('div', { class: 'row' },
    h('button', { type: 'submit', class: 'primary' }, t('catalogue.apply')),
    h('button', {
      type: 'button', class: 'secondary',
      on: { click: () => { search.value = ''; dbSelect.value = ''; classSelect.value = ''; providerSelect.value = ''; freshSelect.value = ''; load(); } },
    }, t('catalogue.reset'))));
  for (const control of [dbSelect, classSelect, providerSelect, freshSelect]) control.addEventListener('change', load);
  view.append(form, results);
  await load();
}

async function renderEntry(view, ctx, id) {
  fill(view, h('p', null, h('a', { href: '#/catalogue' }, `← ${t('catalogue.back')}`)), loading());
  let entry, access, requests;
  try {
    [entry, access, requests] = await Promise.all([
      get(`/api/catalogue/${encodeURIComponent(id)}`),
      get('/api/access/me'),
      ctx.hasRole('analyst') ? get('/api/access-requests?role=mine').catch(() => []) : Promise.resolve([]),
    ]);
  } catch (error) {
    view.lastChild.replaceWith(error.status === 404 ? h('div', { class: 'alert alert-warn', role: 'alert' }, t('catalogue.notFound')) : errorBox(error));
    return;
  }
  const s = entry.summary;
  const mine = accessOf(s, access);
  const open = requests.find((r) => r.resource === s.id && (r.status === 'pending' || r.status === 'escalated'));
  const fresh = entry.freshness?.status;
  view.lastChild.remove();
  document.title = `${localName(s.name)} · GovShare Lake`;

  const dl = (...pairs) => h('dl', { class: 'props' }, pairs.filter(Boolean).map(([label, value]) => [h('dt', null, label), h('dd', null, value ?? '—')]));
  const delivery = s.lastDelivery
    ? t('catalogue.deliverySummary', {
      file: s.lastDelivery.fileName, accepted: fmtNumber(s.lastDelivery.accepted), quarantined: fmtNumber(s.lastDelivery.quarantined), at: fmtDateTime(s.lastDelivery.finishedAt),
    })
    : t('catalogue.none');

  // Access: readable, or how to ask for it.
  const accessCard = h('section', { class: 'card', 'aria-labelledby': 'cat-access' },
    h('h2', { id: 'cat-access', text: t('catalogue.access') }),
    h('p', null, accessBadge(mine.kind), ' ', mine.kind === 'denied' ? t('catalogue.accessDenied') : t('catalogue.accessReadable')),
    mine.masked.length ? h('p', { class: 'muted' }, `${t('catalogue.masked')}: `, mine.masked.join(', ')) : null,
    open ? h('p', null, badge(t('catalogue.requestOpen', { status: t(`catalogue.status.${open.status}`) }), 'info')) : null,
    h('div', { class: 'row' },
      mine.kind === 'denied' && s.sharingClass !== 'unconditional' && ctx.hasRole('analyst') && !open
        ? h('button', { type: 'button', class: 'primary', on: { click: () => ctx.navigate(`#/requests/new?entry=${encodeURIComponent(s.id)}`) } }, t('catalogue.requestAccess'))
        : null,
      open ? h('a', { class: 'button secondary', href: '#/requests' }, t('catalogue.openRequests')) : null,
      mine.kind !== 'denied' && (ctx.hasRole('analyst', 'reviewer', 'operator'))
        ? h('a', { class: 'button secondary', href: `#/sql?table=${encodeURIComponent(s.target)}` }, t('catalogue.querySql'))
        : null));

  const schemaRows = entry.schema.map((c) => ({ ...c, masked: mine.masked.includes(c.name), hidden: mine.fields && !mine.fields.includes(c.name) }));
  view.append(h('div', null,
    pageHeader(localName(s.name), classBadge(s.sharingClass)),
    h('p', { class: 'muted' }, h('code', null, s.id), ' · ', code('catalogue.kind', s.kind), ' · ', code('catalogue.db', s.baseDatabase)),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'cat-overview' },
        h('h2', { id: 'cat-overview', text: t('catalogue.overview') }),
        dl(
          s.description ? [t('catalogue.description'), s.description] : null,
          [t('catalogue.provider'), localName(s.agency.name ?? s.agency)],
          [t('catalogue.sharingClass'), classBadge(s.sharingClass)],
          [t('catalogue.legalBasis'), s.legalBasis || t('catalogue.none')],
          entry.conditions ? [t('catalogue.conditions'), entry.conditions] : null,
          [t('catalogue.target'), h('code', null, s.target)],
          [t('catalogue.key'), h('code', null, entry.key)],
          [t('catalogue.col.deadline'), code('catalogue.deadline', s.updateDeadline)],
          entry.provision?.length ? [t('catalogue.provision'), entry.provision.map((p) => code('catalogue.provision', p)).join('、')] : null,
          entry.authoritative?.length ? [t('catalogue.authoritative'), entry.authoritative.join(', ')] : null,
          s.themes?.length ? [t('catalogue.themes'), s.themes.join(', ')] : null,
          s.kind === 'dataset' ? [t('catalogue.lastDelivery'), delivery] : null,
          s.kind === 'dataset' ? [t('catalogue.freshnessState'), h('span', null, freshnessBadge(fresh?.state),
            entry.freshness ? h('span', { class: 'muted' }, ` ${t('catalogue.checkedAt', { at: fmtDateTime(entry.freshness.checkedAt) })}`) : null)] : null,
          fresh?.deadline ? [t('catalogue.deadlineAt'), fmtDateTime(fresh.deadline)] : null)),
      accessCard),
    h('h2', { text: t('catalogue.schema') }),
    table([
      { label: t('catalogue.col.column'), render: (c) => h('code', null, c.name) },
      { label: t('catalogue.col.chinese'), render: (c) => c.chinese ?? '—' },
      { label: t('catalogue.col.type'), render: (c) => h('code', null, c.type) },
      { label: t('catalogue.col.description'), render: (c) => c.english ?? '—' },
      { label: t('catalogue.col.source'), render: (c) => c.sourceColumn ?? '—' },
      {
        label: t('catalogue.col.required'),
        render: (c) => h('span', { class: 'row' }, c.required ? badge(t('catalogue.required'), 'info') : null,
          c.masked ? badge(t('catalogue.masked'), 'warn') : null, c.hidden ? badge(t('catalogue.notReadable'), 'muted') : null),
      },
    ], schemaRows),
    entry.sql ? [h('h2', { text: t('catalogue.sql') }), h('pre', { class: 'card pa-sql' }, entry.sql)] : null,
    entry.revisions?.length ? [
      h('h2', { text: t('catalogue.revisions') }),
      table([
        { label: t('catalogue.col.revision'), align: 'right', render: (r) => fmtNumber(r.revision) },
        { label: t('catalogue.col.validFrom'), render: (r) => fmtDateTime(r.validFrom) },
        { label: t('catalogue.col.changes'), render: (r) => (r.changes?.length ? r.changes.map((c) => code('catalogue.change', c)).join('；') : '—') },
      ], entry.revisions)] : null,
    s.kind === 'dataset' ? [
      h('h2', { text: t('catalogue.versions') }),
      h('p', { class: 'muted', text: t('catalogue.versionsIntro') }),
      table([
        { label: t('catalogue.col.lakeVersion'), align: 'right', render: (v) => fmtNumber(v.lakeVersion) },
        { label: t('catalogue.col.tableVersion'), align: 'right', render: (v) => fmtNumber(v.tableVersion) },
        { label: t('catalogue.col.committedAt'), render: (v) => fmtDateTime(v.committedAt) },
      ], entry.versions ?? [])] : null));
}
