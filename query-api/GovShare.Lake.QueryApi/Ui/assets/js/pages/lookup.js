// Lookups of one person, company or licence by its key: the consolidated record with the provider of every attribute,
// where providers disagree, the attributes under investigation (an open mismatch report), what was withheld, and for
// licences the signed evidence receipt. Keys are typed into the form only: never put into the address or logged.
import { t, addStrings, fmtNumber, fmtDate, fmtDateTime, localName, lang, has } from '../i18n.js';
import { get, post, download, ApiError } from '../api.js';
import { h, fill, pageHeader, table, badge, field, select, loading, errorBox, busy, toast } from '../ui.js';

addStrings({
  zh: {
    'lookup.title': '信息查验',
    'lookup.intro': '按证件号码查验一个人、一家企业或一张证照，显示各部门提供的信息及其来源。每次查验连同使用目的记录在审计日志中。',
    'lookup.tabs': '查验对象',
    'lookup.tab.person': '自然人',
    'lookup.tab.entity': '法人',
    'lookup.tab.licence': '证照',
    'lookup.idNumber': '公民身份号码',
    'lookup.idNumberHint': '18 位身份号码（15 位旧号码会自动升位）。',
    'lookup.keyKind': '查询依据',
    'lookup.kind.uscc': '统一社会信用代码',
    'lookup.kind.orgCode': '组织机构代码',
    'lookup.kind.licenceNo': '营业执照注册号',
    'lookup.entityKey': '代码或号码',
    'lookup.licenceNo': '证照编号',
    'lookup.submit': '查验',
    'lookup.required': '请输入要查验的号码。',
    'lookup.notFound': '没有找到该号码对应的记录（或本部门无权查看）。',
    'lookup.conflict': '该号码对应多个主体，请改用统一社会信用代码查验。',
    'lookup.version': '数据版本 {v}',
    'lookup.record': '汇总记录',
    'lookup.key': '主键',
    'lookup.table': '基础表',
    'lookup.col.attribute': '信息项',
    'lookup.col.value': '值',
    'lookup.col.provider': '提供部门',
    'lookup.col.flags': '标注',
    'lookup.authoritative': '权威来源',
    'lookup.disagree': '部门间不一致',
    'lookup.investigating': '核查中',
    'lookup.heldBy': '{value}：{agencies}',
    'lookup.report': '纠错单 {id}（{status}，期限 {due}）',
    'lookup.providers': '提供部门',
    'lookup.providerItem': '{agency}（{dataset}，表版本 {v}）',
    'lookup.disagreements': '部门间不一致的信息项',
    'lookup.underInvestigation': '有纠错单正在核查的信息项',
    'lookup.noDisagreements': '各部门提供的信息一致。',
    'lookup.noneInvestigating': '没有正在核查的信息项。',
    'lookup.licences': '持有的证照',
    'lookup.entities': '担任法定代表人的法人',
    'lookup.withheld': '本部门无权查看的信息',
    'lookup.withheldItem': '{resource}：{attributes}',
    'lookup.requestAccess': '申请共享 {resource}',
    'lookup.evidence': '查验凭证',
    'lookup.evidenceIntro': '平台对本次提供的证照信息出具了 SM2 签名的凭证，可下载留存或离线验证。',
    'lookup.receiptId': '凭证编号',
    'lookup.retrievedAt': '出具时间',
    'lookup.sm3': '内容 SM3 摘要',
    'lookup.downloadReceipt': '下载查验凭证',
    'lookup.downloaded': '已下载 {name}',
    'lookup.status.reported': '已提交',
    'lookup.status.in_verification': '核实中',
    'lookup.status.awaiting_review': '待审核',
  },
  en: {
    'lookup.title': 'Lookup',
    'lookup.intro': 'Look up one person, company or licence by its number: what each agency provides and where it comes from. Every lookup is recorded with its purpose in the audit trail.',
    'lookup.tabs': 'What to look up',
    'lookup.tab.person': 'Person',
    'lookup.tab.entity': 'Company',
    'lookup.tab.licence': 'Licence',
    'lookup.idNumber': 'Resident identity number',
    'lookup.idNumberHint': '18 characters (an old 15-digit number is upgraded).',
    'lookup.keyKind': 'Look up by',
    'lookup.kind.uscc': 'Unified social credit code',
    'lookup.kind.orgCode': 'Organisation code',
    'lookup.kind.licenceNo': 'Business licence registration number',
    'lookup.entityKey': 'Code or number',
    'lookup.licenceNo': 'Licence number',
    'lookup.submit': 'Look up',
    'lookup.required': 'Type the number to look up.',
    'lookup.notFound': 'No record has this number (or your agency may not see it).',
    'lookup.conflict': 'Several entities share this number: look up by the unified social credit code instead.',
    'lookup.version': 'Lake version {v}',
    'lookup.record': 'Consolidated record',
    'lookup.key': 'Key',
    'lookup.table': 'Base table',
    'lookup.col.attribute': 'Attribute',
    'lookup.col.value': 'Value',
    'lookup.col.provider': 'Provider',
    'lookup.col.flags': 'Notes',
    'lookup.authoritative': 'Authoritative',
    'lookup.disagree': 'Providers disagree',
    'lookup.investigating': 'Under investigation',
    'lookup.heldBy': '{value}: {agencies}',
    'lookup.report': 'report {id} ({status}, due {due})',
    'lookup.providers': 'Providers',
    'lookup.providerItem': '{agency} ({dataset}, table version {v})',
    'lookup.disagreements': 'Attributes providers disagree on',
    'lookup.underInvestigation': 'Attributes under investigation',
    'lookup.noDisagreements': 'The providers agree.',
    'lookup.noneInvestigating': 'No attribute is under investigation.',
    'lookup.licences': 'Licences held',
    'lookup.entities': 'Entities represented',
    'lookup.withheld': 'Withheld from your agency',
    'lookup.withheldItem': '{resource}: {attributes}',
    'lookup.requestAccess': 'Request access to {resource}',
    'lookup.evidence': 'Evidence receipt',
    'lookup.evidenceIntro': 'The platform signed a receipt (SM2) for the licence data served; download it to keep or to verify offline.',
    'lookup.receiptId': 'Receipt',
    'lookup.retrievedAt': 'Issued',
    'lookup.sm3': 'SM3 of the content',
    'lookup.downloadReceipt': 'Download the evidence receipt',
    'lookup.downloaded': 'Downloaded {name}',
    'lookup.status.reported': 'reported',
    'lookup.status.in_verification': 'in verification',
    'lookup.status.awaiting_review': 'awaiting review',
  },
});

const tabs = ['person', 'entity', 'licence'];
const entityKinds = ['uscc', 'orgCode', 'licenceNo'];

/** Column names → their catalogue titles, per dataset, fetched once per page view. */
function columnTitles() {
  const cache = new Map();
  return {
    async load(datasets) {
      await Promise.all([...new Set(datasets)].filter((d) => !cache.has(d)).map(async (d) => {
        try {
          const entry = await get(`/api/catalogue/${encodeURIComponent(d)}`);
          cache.set(d, new Map(entry.schema.map((c) => [c.name, c])));
        } catch {
          cache.set(d, new Map());
        }
      }));
    },
    title(dataset, name) {
      const column = cache.get(dataset)?.get(name);
      const text = lang() === 'zh' ? column?.chinese : column?.english;
      return text || name;
    },
  };
}

function datasetsOf(answer) {
  const records = [answer.record, ...(answer.licences ?? []), ...(answer.entities ?? [])];
  return records.flatMap((r) => Object.values(r.attributes).map((a) => a.dataset));
}

function valueText(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export async function render(view, ctx) {
  let tab = tabs.includes(ctx.query.get('tab')) ? ctx.query.get('tab') : 'person';
  const titles = columnTitles();
  const agencies = new Map();
  get('/api/catalogue').then((entries) => {
    for (const e of entries) agencies.set(e.agency.code, e.agency.name ?? e.agency);
  }).catch(() => {});
  const agencyName = (code) => (agencies.has(code) ? localName(agencies.get(code)) : code);

  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('lookup.tabs') });
  const panel = h('div', { role: 'tabpanel', id: 'lookup-panel' });
  const output = h('div', { class: 'pa-lookup-output', 'aria-live': 'polite' });

  function showTabs() {
    fill(tabList, tabs.map((id) => h('button', {
      type: 'button', role: 'tab', id: `lookup-tab-${id}`, 'aria-selected': String(id === tab), 'aria-controls': 'lookup-panel', tabindex: id === tab ? '0' : '-1',
      on: {
        click: () => select_(id),
        keydown: (event) => {
          const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
          if (!step) return;
          const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
          select_(next);
          tabList.querySelector(`#lookup-tab-${next}`)?.focus();
        },
      },
    }, t(`lookup.tab.${id}`))));
  }

  function select_(id) {
    tab = id;
    // The tab (never the number) stays in the address.
    history.replaceState(null, '', `#/lookup?tab=${id}`);
    showTabs();
    showForm();
    fill(output);
  }

  function showForm() {
    panel.setAttribute('aria-labelledby', `lookup-tab-${tab}`);
    const input = h('input', { name: 'key', autocomplete: 'off', spellcheck: 'false', maxlength: 64, required: true, class: 'pa-key' });
    const kind = tab === 'entity' ? select(entityKinds.map((k) => ({ value: k, label: t(`lookup.kind.${k}`) })), 'uscc', { name: 'kind' }) : null;
    const submit = h('button', { type: 'submit', class: 'primary' }, t('lookup.submit'));
    const form = h('form', {
      class: 'filters', autocomplete: 'off',
      on: {
        submit: async (event) => {
          event.preventDefault();
          const key = input.value.trim();
          if (!key) {
            fill(output, h('div', { class: 'alert alert-warn', role: 'alert' }, t('lookup.required')));
            input.focus();
            return;
          }
          const body = tab === 'person' ? { idNumber: key } : tab === 'licence' ? { licenceNo: key } : { [kind.value]: key };
          submit.disabled = true;
          fill(output, loading());
          try {
            const answer = await post(`/api/lookup/${tab}`, body);
            await titles.load(datasetsOf(answer));
            showAnswer(answer);
          } catch (error) {
            showError(error);
          } finally {
            submit.disabled = false;
          }
        },
      },
    },
    kind ? field(t('lookup.keyKind'), kind) : null,
    field(t(tab === 'person' ? 'lookup.idNumber' : tab === 'licence' ? 'lookup.licenceNo' : 'lookup.entityKey'), input,
      tab === 'person' ? t('lookup.idNumberHint') : null),
    h('div', null, submit));
    fill(panel, form);
  }

  function showError(error) {
    if (error instanceof ApiError && error.status === 404) {
      fill(output, h('div', { class: 'alert alert-warn', role: 'alert' }, t('lookup.notFound')));
    } else if (error instanceof ApiError && error.status === 409) {
      fill(output, h('div', { class: 'alert alert-warn', role: 'alert' }, t('lookup.conflict')));
    } else {
      fill(output, errorBox(error));
      if (error instanceof ApiError && error.needsPurpose) document.getElementById('purpose')?.focus();
    }
  }

  function flags(attribute) {
    return h('div', { class: 'pa-flags' },
      attribute.authoritative ? badge(t('lookup.authoritative'), 'ok') : null,
      attribute.values?.length > 1 ? h('div', null, badge(t('lookup.disagree'), 'warn'),
        h('ul', { class: 'pa-held' }, attribute.values.map((v) => h('li', null,
          t('lookup.heldBy', { value: valueText(v.value), agencies: v.agencies.map(agencyName).join('、') }))))) : null,
      attribute.underInvestigation?.length ? h('div', null, badge(t('lookup.investigating'), 'bad'),
        h('ul', { class: 'pa-held' }, attribute.underInvestigation.map((r) => h('li', null,
          t('lookup.report', { id: r.reportId, status: has(`lookup.status.${r.status}`) ? t(`lookup.status.${r.status}`) : r.status, due: fmtDate(r.due) }))))) : null);
  }

  function recordView(record, headingLevel, receipt) {
    const rows = Object.entries(record.attributes).map(([name, a]) => ({ name, ...a }));
    const heading = headingLevel === 2 ? 'h2' : 'h3';
    return h('section', { class: 'card pa-record', 'aria-label': `${record.table} ${record.key}` },
      h(heading, null, t('lookup.record'), ' ', h('code', { class: 'muted' }, record.table)),
      h('dl', { class: 'props' },
        h('dt', null, t('lookup.key')), h('dd', null, h('code', null, record.key)),
        h('dt', null, t('lookup.providers')), h('dd', null, record.providers.length ? record.providers.map((p) =>
          h('div', null, t('lookup.providerItem', { agency: agencyName(p.agency), dataset: p.dataset, v: fmtNumber(p.version) }))) : '—'),
        h('dt', null, t('lookup.disagreements')), h('dd', null, record.disagreements.length
          ? record.disagreements.map((n) => badge(titles.title(record.attributes[n]?.dataset, n), 'warn'))
          : t('lookup.noDisagreements')),
        h('dt', null, t('lookup.underInvestigation')), h('dd', null, record.underInvestigation?.length
          ? record.underInvestigation.map((n) => badge(titles.title(record.attributes[n]?.dataset, n), 'bad'))
          : t('lookup.noneInvestigating'))),
      table([
        { label: t('lookup.col.attribute'), render: (a) => h('span', { title: a.name }, titles.title(a.dataset, a.name), ' ', h('code', { class: 'muted pa-small-code' }, a.name)) },
        { label: t('lookup.col.value'), render: (a) => valueText(a.value) },
        { label: t('lookup.col.provider'), render: (a) => h('span', { title: `${a.dataset} v${a.version}` }, agencyName(a.agency), h('div', { class: 'muted pa-small-code' }, a.dataset)) },
        { label: t('lookup.col.flags'), render: flags },
      ], rows, { rowClass: (a) => (a.underInvestigation?.length ? 'pa-investigating' : a.values?.length > 1 ? 'pa-disagree' : null) }),
      receipt ? receiptView(receipt) : null);
  }

  function receiptView(receipt) {
    const button = h('button', { type: 'button', class: 'secondary', dataset: { receipt: receipt.receiptId } }, t('lookup.downloadReceipt'));
    button.addEventListener('click', () => busy(button, async () => {
      const file = await download('GET', `/api/evidence/${encodeURIComponent(receipt.receiptId)}`, undefined, `evidence-${receipt.receiptId}.json`);
      toast(t('lookup.downloaded', { name: file.name }));
    }));
    return h('div', { class: 'pa-receipt' },
      h('h3', null, t('lookup.evidence')),
      h('p', { class: 'muted' }, t('lookup.evidenceIntro')),
      h('dl', { class: 'props' },
        h('dt', null, t('lookup.receiptId')), h('dd', null, h('code', null, receipt.receiptId)),
        h('dt', null, t('lookup.retrievedAt')), h('dd', null, fmtDateTime(receipt.retrievedAt)),
        h('dt', null, t('lookup.sm3')), h('dd', null, h('code', { class: 'pa-break' }, receipt.contentSm3))),
      h('div', { class: 'row pa-actions' }, button));
  }

  function showAnswer(answer) {
    fill(output,
      h('p', null, badge(t('lookup.version', { v: fmtNumber(answer.version) }), 'info')),
      answer.withheld?.length ? h('div', { class: 'alert alert-info' },
        h('strong', null, t('lookup.withheld')),
        h('ul', null, answer.withheld.map((w) => h('li', null,
          t('lookup.withheldItem', { resource: w.resource, attributes: w.attributes.join(', ') }), ' ',
          ctx.hasRole('analyst') ? h('a', { href: `#/requests/new?entry=${encodeURIComponent(w.resource)}` }, t('lookup.requestAccess', { resource: w.resource })) : null)))) : null,
      recordView(answer.record, 2, answer.evidence),
      answer.licences?.length ? [h('h2', null, t('lookup.licences')),
        answer.licences.map((l, i) => recordView(l, 3, answer.licenceEvidence?.[i]))] : null,
      answer.entities?.length ? [h('h2', null, t('lookup.entities')), answer.entities.map((e) => recordView(e, 3, null))] : null);
  }

  fill(view, pageHeader(t('lookup.title')), h('p', { class: 'muted', text: t('lookup.intro') }), tabList, panel, output);
  showTabs();
  showForm();
}
