// Access requests: an analyst's agency asks for a conditional entry (purpose, category, the data-use agreement accepted)
// and follows its requests (withdraw, escalate a refusal); a provider administrator decides its inbox within the
// 10-working-day deadline; the operator decides escalations, not-shared entries and data outside the catalogue.
import { t, addStrings, fmtDate, fmtDateTime, localName, lang, has } from '../i18n.js';
import { get, post, qs } from '../api.js';
import { h, fill, pageHeader, table, badge, field, select, loading, errorBox, errorText, toast, dialog, busy, dueClass } from '../ui.js';

addStrings({
  zh: {
    'requests.title': '共享申请',
    'requests.tabs': '申请类别',
    'requests.tab.mine': '本部门的申请',
    'requests.tab.new': '提出申请',
    'requests.tab.inbox': '待我审核',
    'requests.tab.escalations': '平台裁决',
    'requests.mineIntro': '本部门提出的共享申请及其处理进度。提供部门须在 10 个工作日内答复，逾期自动提请平台裁决。',
    'requests.inboxIntro': '其他部门向本部门提出的共享申请。请在答复期限内批准或拒绝；临近期限的以黄色标出，逾期的以红色标出。',
    'requests.escalationsIntro': '提请平台裁决的申请、不予共享资源和目录外数据的申请。',
    'requests.col.resource': '申请资源',
    'requests.col.requester': '申请部门',
    'requests.col.decider': '审核部门',
    'requests.col.purpose': '使用目的',
    'requests.col.category': '目的类别',
    'requests.col.status': '状态',
    'requests.col.created': '提交时间',
    'requests.col.due': '答复期限',
    'requests.col.reasons': '理由',
    'requests.col.actions': '操作',
    'requests.empty.mine': '本部门还没有提出申请。',
    'requests.empty.inbox': '没有待审核的申请。',
    'requests.empty.escalations': '没有待裁决的申请。',
    'requests.uncatalogued': '目录外数据',
    'requests.operator': '平台运营单位',
    'requests.status.pending': '待审核',
    'requests.status.escalated': '已提请平台裁决',
    'requests.status.approved': '已批准',
    'requests.status.refused': '已拒绝',
    'requests.status.withdrawn': '已撤回',
    'requests.status.revoked': '已撤销授权',
    'requests.status.expired': '已到期',
    'requests.filter.status': '状态',
    'requests.filter.open': '待处理',
    'requests.filter.all': '全部',
    'requests.overdue': '已逾期',
    'requests.dueSoon': '即将到期',
    'requests.until': '有效期至 {date}',
    'requests.deliverBy': '须在 {date} 前提供数据',
    'requests.history': '处理记录',
    'requests.details': '详情',
    'requests.withdraw': '撤回',
    'requests.withdrawConfirm': '撤回这项申请？已批准的申请撤回后，本部门将不能再访问该资源。',
    'requests.withdrawn': '申请已撤回。',
    'requests.escalate': '提请平台裁决',
    'requests.escalateTitle': '对拒绝提出异议',
    'requests.escalated': '已提请平台裁决。',
    'requests.approve': '批准',
    'requests.refuse': '拒绝',
    'requests.revoke': '撤销授权',
    'requests.approveTitle': '批准申请',
    'requests.refuseTitle': '拒绝申请',
    'requests.revokeTitle': '撤销授权',
    'requests.reasons': '理由',
    'requests.reasonsOptional': '说明（可选）',
    'requests.reasonsRequired': '请填写理由。',
    'requests.legalBasis': '法律依据（不予共享资源必填）',
    'requests.providerCode': '提供数据的部门代码（目录外数据必填）',
    'requests.untilLabel': '授权有效期至（可选）',
    'requests.approved': '已批准。',
    'requests.refused': '已拒绝。',
    'requests.revoked': '已撤销授权。',
    'requests.confirm': '确定',
    'requests.decisionFor': '{requester} 申请 {resource}：{purpose}',
    'requests.form.entry': '申请的资源',
    'requests.form.chooseEntry': '请选择资源',
    'requests.form.outside': '目录外数据（由平台运营单位处理）',
    'requests.form.description': '所需数据的说明',
    'requests.form.purpose': '使用目的',
    'requests.form.purposeHint': '说明办理的业务和使用数据的方式，审核部门据此决定。',
    'requests.form.category': '目的类别',
    'requests.form.noCategory': '不指定',
    'requests.form.until': '需要使用至（可选）',
    'requests.form.conditions': '共享条件：{conditions}',
    'requests.labelled': '{label}：{text}',
    'requests.form.agreement': '数据使用协议',
    'requests.form.agreementVersion': '协议版本 {version}',
    'requests.form.accept': '我已阅读并同意遵守上述数据使用协议',
    'requests.form.accepted': '本部门已于 {at} 接受该协议。',
    'requests.form.submit': '提交申请',
    'requests.form.needEntry': '请选择要申请的资源。',
    'requests.form.needDescription': '请说明所需的目录外数据。',
    'requests.form.needPurpose': '请填写使用目的。',
    'requests.form.needAccept': '请先阅读并同意数据使用协议。',
    'requests.form.done': '申请已提交，答复期限 {due}。',
    'requests.form.autoApproved': '申请符合预设条件，已自动批准。',
    'requests.form.nothing': '本部门已可访问目录中的全部资源；如需目录外数据，请选择“目录外数据”。',
    'requests.category.social_assistance': '社会救助',
    'requests.category.employment_service': '就业服务',
    'requests.category.housing_security': '住房保障',
    'requests.category.public_security': '公共安全',
    'requests.category.tax_administration': '税收征管',
    'requests.category.market_regulation': '市场监管',
    'requests.category.health_service': '卫生健康',
    'requests.category.urban_management': '城市管理',
    'requests.category.statistics': '统计分析',
    'requests.action.submitted': '提交申请',
    'requests.action.auto_approved': '符合预设条件，自动批准',
    'requests.action.approved': '批准',
    'requests.action.refused': '拒绝',
    'requests.action.escalated': '提请平台裁决',
    'requests.action.withdrawn': '撤回',
    'requests.action.revoked': '撤销授权',
    'requests.action.expired': '到期',
  },
  en: {
    'requests.title': 'Access requests',
    'requests.tabs': 'Request views',
    'requests.tab.mine': 'Our requests',
    'requests.tab.new': 'New request',
    'requests.tab.inbox': 'To decide',
    'requests.tab.escalations': 'Escalations',
    'requests.mineIntro': 'Your agency\'s requests and where they stand. Providers answer within 10 working days; past that, the request goes to the operator.',
    'requests.inboxIntro': 'Requests other agencies made to yours. Approve or refuse them before the deadline: near deadlines are yellow, past ones red.',
    'requests.escalationsIntro': 'Requests escalated to the operator, requests for not-shared entries and for data outside the catalogue.',
    'requests.col.resource': 'Resource',
    'requests.col.requester': 'Requester',
    'requests.col.decider': 'Decided by',
    'requests.col.purpose': 'Purpose',
    'requests.col.category': 'Category',
    'requests.col.status': 'Status',
    'requests.col.created': 'Submitted',
    'requests.col.due': 'Answer due',
    'requests.col.reasons': 'Reasons',
    'requests.col.actions': 'Actions',
    'requests.empty.mine': 'Your agency has made no request yet.',
    'requests.empty.inbox': 'Nothing to decide.',
    'requests.empty.escalations': 'Nothing to decide.',
    'requests.uncatalogued': 'Data outside the catalogue',
    'requests.operator': 'Operator',
    'requests.status.pending': 'Pending',
    'requests.status.escalated': 'Escalated',
    'requests.status.approved': 'Approved',
    'requests.status.refused': 'Refused',
    'requests.status.withdrawn': 'Withdrawn',
    'requests.status.revoked': 'Revoked',
    'requests.status.expired': 'Expired',
    'requests.filter.status': 'Status',
    'requests.filter.open': 'Open',
    'requests.filter.all': 'All',
    'requests.overdue': 'Overdue',
    'requests.dueSoon': 'Due soon',
    'requests.until': 'valid until {date}',
    'requests.deliverBy': 'data due by {date}',
    'requests.history': 'History',
    'requests.details': 'Details',
    'requests.withdraw': 'Withdraw',
    'requests.withdrawConfirm': 'Withdraw this request? Withdrawing an approved request ends your agency\'s access.',
    'requests.withdrawn': 'Request withdrawn.',
    'requests.escalate': 'Escalate',
    'requests.escalateTitle': 'Contest the refusal',
    'requests.escalated': 'Escalated to the operator.',
    'requests.approve': 'Approve',
    'requests.refuse': 'Refuse',
    'requests.revoke': 'Revoke',
    'requests.approveTitle': 'Approve the request',
    'requests.refuseTitle': 'Refuse the request',
    'requests.revokeTitle': 'Revoke the approval',
    'requests.reasons': 'Reasons',
    'requests.reasonsOptional': 'Note (optional)',
    'requests.reasonsRequired': 'Give the reasons.',
    'requests.legalBasis': 'Legal basis (required for not-shared entries)',
    'requests.providerCode': 'Code of the agency to supply the data (required for data outside the catalogue)',
    'requests.untilLabel': 'Valid until (optional)',
    'requests.approved': 'Approved.',
    'requests.refused': 'Refused.',
    'requests.revoked': 'Approval revoked.',
    'requests.confirm': 'Confirm',
    'requests.decisionFor': '{requester} asks for {resource}: {purpose}',
    'requests.form.entry': 'Resource',
    'requests.form.chooseEntry': 'Choose a resource',
    'requests.form.outside': 'Data outside the catalogue (the operator handles it)',
    'requests.form.description': 'What data you need',
    'requests.form.purpose': 'Purpose',
    'requests.form.purposeHint': 'The business it serves and how the data will be used; the provider decides on it.',
    'requests.form.category': 'Purpose category',
    'requests.form.noCategory': 'Not given',
    'requests.form.until': 'Needed until (optional)',
    'requests.form.conditions': 'Conditions: {conditions}',
    'requests.labelled': '{label}: {text}',
    'requests.form.agreement': 'Data-use agreement',
    'requests.form.agreementVersion': 'Version {version}',
    'requests.form.accept': 'I have read the data-use agreement above and accept it',
    'requests.form.accepted': 'Your agency accepted this agreement on {at}.',
    'requests.form.submit': 'Submit the request',
    'requests.form.needEntry': 'Choose the resource.',
    'requests.form.needDescription': 'Describe the data outside the catalogue.',
    'requests.form.needPurpose': 'State the purpose.',
    'requests.form.needAccept': 'Read and accept the data-use agreement first.',
    'requests.form.done': 'Request submitted; the answer is due by {due}.',
    'requests.form.autoApproved': 'The request meets the preset conditions and was approved at once.',
    'requests.form.nothing': 'Your agency may already read every catalogue resource; for other data choose "Data outside the catalogue".',
    'requests.category.social_assistance': 'Social assistance',
    'requests.category.employment_service': 'Employment services',
    'requests.category.housing_security': 'Housing security',
    'requests.category.public_security': 'Public security',
    'requests.category.tax_administration': 'Tax administration',
    'requests.category.market_regulation': 'Market regulation',
    'requests.category.health_service': 'Health services',
    'requests.category.urban_management': 'Urban management',
    'requests.category.statistics': 'Statistics',
    'requests.action.submitted': 'Submitted',
    'requests.action.auto_approved': 'Approved at once (preset conditions met)',
    'requests.action.approved': 'Approved',
    'requests.action.refused': 'Refused',
    'requests.action.escalated': 'Escalated',
    'requests.action.withdrawn': 'Withdrawn',
    'requests.action.revoked': 'Revoked',
    'requests.action.expired': 'Expired',
  },
});

// The API takes any category; these are the ones the catalogue's preset conditions use and the common others.
const categories = ['social_assistance', 'employment_service', 'housing_security', 'public_security', 'tax_administration',
  'market_regulation', 'health_service', 'urban_management', 'statistics'];
const statuses = ['pending', 'escalated', 'approved', 'refused', 'withdrawn', 'revoked', 'expired'];
const OUTSIDE = '__outside__';

function tabsFor(ctx) {
  return [
    ctx.hasRole('analyst') ? 'mine' : null,
    ctx.hasRole('analyst') ? 'new' : null,
    ctx.hasRole('provider_admin') ? 'inbox' : null,
    ctx.hasRole('operator') ? 'escalations' : null,
  ].filter(Boolean);
}

function statusBadge(status) {
  const kind = { pending: 'info', escalated: 'warn', approved: 'ok', refused: 'bad' }[status] ?? 'muted';
  return badge(has(`requests.status.${status}`) ? t(`requests.status.${status}`) : status, kind);
}

function categoryText(category) {
  if (!category) return '—';
  return has(`requests.category.${category}`) ? t(`requests.category.${category}`) : category;
}

/** Names of agencies and entries from the catalogue (there is no agency directory for staff: codes otherwise). */
async function names() {
  const entries = await get('/api/catalogue').catch(() => []);
  const agencies = new Map(entries.map((e) => [e.agency.code, e.agency.name ?? e.agency]));
  const byId = new Map(entries.map((e) => [e.id, e]));
  return {
    entries,
    byId,
    agency: (code) => (code === 'operator' ? t('requests.operator') : agencies.has(code) ? localName(agencies.get(code)) : code),
    resource: (r) => (r.resource ? (byId.has(r.resource) ? localName(byId.get(r.resource).name) : r.resource) : t('requests.uncatalogued')),
  };
}

function dueCell(r) {
  if (r.status !== 'pending' && r.status !== 'escalated') return h('span', { class: 'muted' }, fmtDate(r.dueAt));
  const due = dueClass(r.dueAt);
  return h('span', { class: due ? `${due}-text` : null },
    fmtDateTime(r.dueAt), due ? h('div', null, badge(t(due === 'overdue' ? 'requests.overdue' : 'requests.dueSoon'), due === 'overdue' ? 'bad' : 'warn')) : null);
}

function historyList(r, n) {
  return h('ol', { class: 'pa-history' }, (r.history ?? []).map((e) => h('li', null,
    h('span', { class: 'muted' }, fmtDateTime(e.at)), ' · ', n.agency(e.actor), ' · ',
    has(`requests.action.${e.action}`) ? t(`requests.action.${e.action}`) : e.action,
    e.detail ? h('div', { class: 'pa-detail' }, e.detail) : null)));
}

export async function render(view, ctx) {
  const available = tabsFor(ctx);
  const current = available.includes(ctx.params[0]) ? ctx.params[0] : available[0];
  const tabList = h('nav', { class: 'tabs', 'aria-label': t('requests.tabs') }, available.map((id) => h('a', {
    href: `#/requests/${id}`, class: ['button', 'pa-tab'], 'aria-current': id === current ? 'page' : null,
  }, t(`requests.tab.${id}`))));
  const body = h('div', null, loading());
  fill(view, pageHeader(t('requests.title')), tabList, body);
  if (!current) return;
  const n = await names();
  if (current === 'new') await renderForm(body, ctx, n);
  else await renderList(body, ctx, n, current);
}

async function renderList(body, ctx, n, which) {
  const statusSelect = select([
    { value: 'open', label: t('requests.filter.open') },
    { value: '', label: t('requests.filter.all') },
    ...statuses.map((s) => ({ value: s, label: t(`requests.status.${s}`) })),
  ], which === 'mine' ? '' : 'open', { name: 'status' });
  const list = h('div', null, loading());
  fill(body,
    h('p', { class: 'muted' }, t(`requests.${which}Intro`)),
    h('div', { class: 'filters' }, field(t('requests.filter.status'), statusSelect)),
    list);

  // A slower earlier listing must not overwrite a later one's answer.
  let latest = 0;
  async function load() {
    const token = ++latest;
    fill(list, loading());
    try {
      const status = statusSelect.value === 'open' ? '' : statusSelect.value;
      let rows = await get(`/api/access-requests${qs({ role: which === 'mine' ? 'mine' : 'inbox', status })}`);
      if (statusSelect.value === 'open') rows = rows.filter((r) => r.status === 'pending' || r.status === 'escalated' || (which !== 'mine' && r.deliverBy && r.status === 'approved'));
      // Nearest deadlines first where something is to be decided.
      if (token !== latest) return;
      if (which !== 'mine') rows.sort((a, b) => new Date(a.dueAt) - new Date(b.dueAt));
      fill(list, table(columns(which), rows, {
        empty: t(`requests.empty.${which}`),
        rowClass: (r) => (r.status === 'pending' || r.status === 'escalated' ? dueClass(r.dueAt) : null),
      }));
    } catch (error) {
      if (token === latest) fill(list, errorBox(error));
    }
  }

  function columns(kind) {
    return [
      {
        label: t('requests.col.resource'),
        render: (r) => h('div', null, r.resource ? h('a', { href: `#/catalogue/${encodeURIComponent(r.resource)}` }, n.resource(r)) : n.resource(r),
          r.resource ? h('div', { class: 'muted pa-small-code' }, r.resource) : h('div', { class: 'muted' }, r.description ?? '')),
      },
      kind === 'mine' ? { label: t('requests.col.decider'), render: (r) => n.agency(r.decider) } : { label: t('requests.col.requester'), render: (r) => n.agency(r.requester) },
      { label: t('requests.col.purpose'), render: (r) => h('div', { class: 'pa-purpose' }, r.purpose) },
      { label: t('requests.col.category'), render: (r) => categoryText(r.purposeCategory) },
      {
        label: t('requests.col.status'),
        render: (r) => h('div', null, statusBadge(r.status),
          r.until ? h('div', { class: 'muted pa-small-code' }, t('requests.until', { date: fmtDate(r.until) })) : null,
          r.deliverBy ? h('div', { class: 'muted pa-small-code' }, t('requests.deliverBy', { date: fmtDate(r.deliverBy) })) : null,
          r.reasons ? h('div', { class: 'pa-detail' }, t('requests.labelled', { label: t('requests.col.reasons'), text: r.reasons })) : null),
      },
      { label: t('requests.col.created'), render: (r) => fmtDateTime(r.createdAt) },
      { label: t('requests.col.due'), render: dueCell },
      { label: t('requests.col.actions'), render: (r) => h('div', { class: 'pa-row-actions' }, actions(kind, r)) },
    ];
  }

  function actions(kind, r) {
    const buttons = [button(t('requests.details'), 'link', () => details(r))];
    if (kind === 'mine') {
      if (['pending', 'escalated', 'approved'].includes(r.status)) buttons.push(button(t('requests.withdraw'), 'secondary', (b) => withdraw(b, r)));
      if (r.status === 'refused') buttons.push(button(t('requests.escalate'), 'secondary', (b) => escalate(b, r)));
    } else {
      const decidable = (kind === 'inbox' && r.status === 'pending' && r.decider === ctx.session.account.agency.code)
        || (kind === 'escalations' && (r.status === 'escalated' || (r.status === 'pending' && r.decider === 'operator')));
      if (decidable) {
        buttons.push(button(t('requests.approve'), 'primary', (b) => decide(b, r, true)));
        buttons.push(button(t('requests.refuse'), 'danger', (b) => decide(b, r, false)));
      }
      if (r.status === 'approved' && (r.decider === ctx.session.account.agency.code || kind === 'escalations')) {
        buttons.push(button(t('requests.revoke'), 'secondary', (b) => revoke(b, r)));
      }
    }
    return buttons;
  }

  function button(label, kind, onClick) {
    const b = h('button', { type: 'button', class: kind });
    b.textContent = label;
    b.addEventListener('click', () => onClick(b));
    return b;
  }

  async function details(r) {
    await dialog(`${n.resource(r)} · ${t(`requests.status.${r.status}`)}`,
      h('div', null,
        h('p', null, t('requests.decisionFor', { requester: n.agency(r.requester), resource: r.resource ?? t('requests.uncatalogued'), purpose: r.purpose })),
        h('h3', null, t('requests.history')), historyList(r, n)), []);
  }

  async function withdraw(b, r) {
    const ok = await dialog(t('requests.withdraw'), h('p', null, t('requests.withdrawConfirm')), [{ label: t('requests.withdraw'), value: true, kind: 'danger' }]);
    if (!ok) return;
    await busy(b, async () => {
      await post(`/api/access-requests/${encodeURIComponent(r.id)}/withdraw`);
      toast(t('requests.withdrawn'));
      await load();
    });
  }

  async function escalate(b, r) {
    const reasons = h('textarea', { rows: 3, maxlength: 2000 });
    const ok = await dialog(t('requests.escalateTitle'), field(t('requests.reasons'), reasons), [{
      label: t('requests.escalate'), value: true, validate: () => (reasons.value.trim() ? null : t('requests.reasonsRequired')),
    }]);
    if (!ok) return;
    await busy(b, async () => {
      await post(`/api/access-requests/${encodeURIComponent(r.id)}/escalate`, { reasons: reasons.value.trim() });
      toast(t('requests.escalated'));
      await load();
    });
  }

  async function decide(b, r, approve) {
    const reasons = h('textarea', { rows: 3, maxlength: 2000, name: 'reasons' });
    const until = h('input', { type: 'date', name: 'until' });
    const legalBasis = h('input', { name: 'legalBasis', maxlength: 500 });
    const provider = h('input', { name: 'provider', maxlength: 64 });
    const operatorFields = which === 'escalations' && approve;
    const content = h('div', null,
      h('p', null, t('requests.decisionFor', { requester: n.agency(r.requester), resource: r.resource ?? r.description ?? '', purpose: r.purpose })),
      r.purposeCategory ? h('p', { class: 'muted' }, t('requests.labelled', { label: t('requests.col.category'), text: categoryText(r.purposeCategory) })) : null,
      field(approve ? t('requests.reasonsOptional') : t('requests.reasons'), reasons),
      approve ? field(t('requests.untilLabel'), until) : null,
      operatorFields ? field(t('requests.legalBasis'), legalBasis) : null,
      operatorFields && !r.resource ? field(t('requests.providerCode'), provider) : null);
    const ok = await dialog(t(approve ? 'requests.approveTitle' : 'requests.refuseTitle'), content, [{
      label: t(approve ? 'requests.approve' : 'requests.refuse'), value: true, kind: approve ? 'primary' : 'danger',
      validate: () => (!approve && !reasons.value.trim() ? t('requests.reasonsRequired') : null),
    }]);
    if (!ok) return;
    await busy(b, async () => {
      await post(`/api/access-requests/${encodeURIComponent(r.id)}/decision`, {
        approve,
        reasons: reasons.value.trim() || undefined,
        until: approve && until.value ? new Date(`${until.value}T23:59:59+08:00`).toISOString() : undefined,
        legalBasis: legalBasis.value.trim() || undefined,
        provider: provider.value.trim() || undefined,
      });
      toast(t(approve ? 'requests.approved' : 'requests.refused'));
      await load();
    });
  }

  async function revoke(b, r) {
    const reasons = h('textarea', { rows: 3, maxlength: 2000 });
    const ok = await dialog(t('requests.revokeTitle'), field(t('requests.reasons'), reasons), [{
      label: t('requests.revoke'), value: true, kind: 'danger', validate: () => (reasons.value.trim() ? null : t('requests.reasonsRequired')),
    }]);
    if (!ok) return;
    await busy(b, async () => {
      await post(`/api/access-requests/${encodeURIComponent(r.id)}/revoke`, { reasons: reasons.value.trim() });
      toast(t('requests.revoked'));
      await load();
    });
  }

  statusSelect.addEventListener('change', load);
  await load();
}

async function renderForm(body, ctx, n) {
  let access;
  try {
    access = await get('/api/access/me');
  } catch (error) {
    fill(body, errorBox(error));
    return;
  }
  // What may be asked for: catalogue entries the agency cannot read (unconditional ones are open to every agency).
  const denied = new Set(access.denied.map((d) => d.resource));
  const askable = n.entries.filter((e) => denied.has(e.id) && e.sharingClass !== 'unconditional');
  const preset = ctx.query.get('entry') ?? '';

  const entry = select([
    { value: '', label: t('requests.form.chooseEntry') },
    ...askable.map((e) => ({ value: e.id, label: `${localName(e.name)}（${e.id}）· ${localName(e.agency.name ?? e.agency)}` })),
    { value: OUTSIDE, label: t('requests.form.outside') },
  ], askable.some((e) => e.id === preset) ? preset : '', { name: 'entry', required: true });
  const description = h('textarea', { name: 'description', rows: 3, maxlength: 2000 });
  const descriptionField = field(t('requests.form.description'), description);
  const purpose = h('textarea', { name: 'purpose', rows: 3, maxlength: 500, required: true });
  const category = select([{ value: '', label: t('requests.form.noCategory') }, ...categories.map((c) => ({ value: c, label: categoryText(c) }))], '', { name: 'purposeCategory' });
  const until = h('input', { type: 'date', name: 'until' });
  const conditions = h('div');
  const agreementBox = h('section', { class: 'card pa-agreement', 'aria-labelledby': 'req-agreement', hidden: true });
  const problem = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('requests.form.submit'));
  let agreement = null;
  let accept = null;

  async function entryChanged() {
    const id = entry.value;
    descriptionField.hidden = id !== OUTSIDE;
    fill(conditions);
    agreement = null;
    accept = null;
    agreementBox.hidden = true;
    if (!id || id === OUTSIDE) return;
    fill(agreementBox, loading());
    agreementBox.hidden = false;
    try {
      const [detail, found] = await Promise.all([get(`/api/catalogue/${encodeURIComponent(id)}`), get(`/api/access/agreements/${encodeURIComponent(id)}`)]);
      if (entry.value !== id) return;
      if (detail.conditions) fill(conditions, h('div', { class: 'alert alert-info' }, t('requests.form.conditions', { conditions: detail.conditions })));
      agreement = found;
      accept = found.acceptedAt ? null : h('input', { type: 'checkbox', name: 'accept', id: 'req-accept' });
      fill(agreementBox,
        h('h2', { id: 'req-agreement' }, t('requests.form.agreement'), ' ', h('span', { class: 'muted pa-small-code' }, t('requests.form.agreementVersion', { version: found.version }))),
        h('div', { class: 'pa-agreement-text', tabindex: '0', role: 'document', 'aria-label': t('requests.form.agreement') }, lang() === 'zh' ? found.textZh : found.textEn),
        found.acceptedAt
          ? h('p', { class: 'alert alert-ok' }, t('requests.form.accepted', { at: fmtDateTime(found.acceptedAt) }))
          : h('div', { class: 'pa-accept' }, accept, h('label', { for: 'req-accept' }, t('requests.form.accept'))));
    } catch (error) {
      fill(agreementBox, errorBox(error));
    }
  }

  const form = h('form', {
    class: 'pa-request-form',
    on: {
      submit: async (event) => {
        event.preventDefault();
        fill(problem);
        const id = entry.value;
        const need = !id ? 'requests.form.needEntry'
          : id === OUTSIDE && !description.value.trim() ? 'requests.form.needDescription'
            : !purpose.value.trim() ? 'requests.form.needPurpose'
              : id !== OUTSIDE && (!agreement || (accept && !accept.checked)) ? 'requests.form.needAccept' : null;
        if (need) {
          fill(problem, h('div', { class: 'alert alert-error', role: 'alert' }, t(need)));
          return;
        }
        submit.disabled = true;
        try {
          if (id !== OUTSIDE && accept) {
            await post(`/api/access/agreements/${encodeURIComponent(id)}`, { version: agreement.version });
          }
          const created = await post('/api/access-requests', {
            entryId: id === OUTSIDE ? undefined : id,
            description: id === OUTSIDE ? description.value.trim() : undefined,
            purpose: purpose.value.trim(),
            purposeCategory: category.value || undefined,
            until: until.value ? new Date(`${until.value}T23:59:59+08:00`).toISOString() : undefined,
          });
          toast(created.status === 'approved' ? t('requests.form.autoApproved') : t('requests.form.done', { due: fmtDateTime(created.dueAt) }));
          ctx.navigate('#/requests/mine');
        } catch (error) {
          fill(problem, h('div', { class: 'alert alert-error', role: 'alert' }, errorText(error)));
        } finally {
          submit.disabled = false;
        }
      },
    },
  },
  askable.length ? null : h('div', { class: 'alert alert-info' }, t('requests.form.nothing')),
  field(t('requests.form.entry'), entry),
  conditions,
  descriptionField,
  field(t('requests.form.purpose'), purpose, t('requests.form.purposeHint')),
  h('div', { class: 'row' }, field(t('requests.form.category'), category), field(t('requests.form.until'), until)),
  agreementBox,
  problem,
  submit);
  entry.addEventListener('change', entryChanged);
  fill(body, form);
  await entryChanged();
}
