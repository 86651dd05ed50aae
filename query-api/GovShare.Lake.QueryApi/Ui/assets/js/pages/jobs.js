// Scheduled jobs for the operator: the recent runs as the platform store records them, with their outcomes, and the way to
// the Hangfire dashboard (/hangfire), which opens with the operator's own session.
import { t, addStrings, fmtDateTime, fmtNumber, has } from '../i18n.js';
import { get, qs } from '../api.js';
import { h, fill, pageHeader, table, badge, field, select, loading, errorBox } from '../ui.js';

const outcomeKind = { succeeded: 'ok', failed: 'bad', running: 'info' };

addStrings({
  zh: {
    'jobs.title': '后台任务',
    'jobs.intro': '平台定时任务（时效检查、收件箱、Webhook 推送、一致性检查、备份等）的最近运行记录，最新的在前。',
    'jobs.dashboard': '打开 Hangfire 任务面板',
    'jobs.dashboardHint': '在新标签页中打开，使用您当前的登录会话。',
    'jobs.job': '任务',
    'jobs.any': '全部',
    'jobs.limit': '显示条数',
    'jobs.apply': '查询',
    'jobs.refresh': '刷新',
    'jobs.col.job': '任务',
    'jobs.col.started': '开始时间',
    'jobs.col.duration': '用时',
    'jobs.col.outcome': '结果',
    'jobs.col.summary': '摘要',
    'jobs.empty': '还没有任务运行记录。',
    'jobs.seconds': '{n} 秒',
    'jobs.outcome.succeeded': '成功',
    'jobs.outcome.failed': '失败',
    'jobs.outcome.running': '运行中',
    'jobs.name.freshness': '更新时效检查',
    'jobs.name.inbox': '收件箱',
    'jobs.name.webhooks': 'Webhook 推送',
    'jobs.name.consistency': '一致性检查',
    'jobs.name.backup': '备份',
    'jobs.name.deadlines': '纠错期限督办',
    'jobs.name.maintenance': '湖表维护',
    'jobs.name.retraining': '分类器再训练',
    'jobs.name.anomalies': '数据异常检测',
  },
  en: {
    'jobs.title': 'Jobs',
    'jobs.intro': 'The latest runs of the platform\'s scheduled jobs (freshness check, inbox, webhooks, consistency check, backups and more), newest first.',
    'jobs.dashboard': 'Open the Hangfire dashboard',
    'jobs.dashboardHint': 'Opens in a new tab with your current session.',
    'jobs.job': 'Job',
    'jobs.any': 'Any',
    'jobs.limit': 'Show',
    'jobs.apply': 'Show',
    'jobs.refresh': 'Refresh',
    'jobs.col.job': 'Job',
    'jobs.col.started': 'Started',
    'jobs.col.duration': 'Took',
    'jobs.col.outcome': 'Outcome',
    'jobs.col.summary': 'Summary',
    'jobs.empty': 'No job has run yet.',
    'jobs.seconds': '{n} s',
    'jobs.outcome.succeeded': 'Succeeded',
    'jobs.outcome.failed': 'Failed',
    'jobs.outcome.running': 'Running',
    'jobs.name.freshness': 'Freshness check',
    'jobs.name.inbox': 'Inbox',
    'jobs.name.webhooks': 'Webhooks',
    'jobs.name.consistency': 'Consistency check',
    'jobs.name.backup': 'Backup',
    'jobs.name.deadlines': 'Mismatch deadlines',
    'jobs.name.maintenance': 'Table maintenance',
    'jobs.name.retraining': 'Classifier retraining',
    'jobs.name.anomalies': 'Feed anomalies',
  },
});

const jobName = (job) => (has(`jobs.name.${job}`) ? t(`jobs.name.${job}`) : job);

export async function render(view, ctx) {
  const chosen = { job: ctx.query.get('job') ?? '', limit: ctx.query.get('limit') ?? '100' };
  const results = h('div', null, loading());
  const job = select([{ value: '', label: t('jobs.any') }], chosen.job, { name: 'job' });
  const limit = select(['50', '100', '500'].map((n) => ({ value: n, label: fmtNumber(Number(n)) })), chosen.limit, { name: 'limit' });
  fill(view,
    pageHeader(t('jobs.title'),
      h('a', { class: 'button primary', href: '/hangfire', target: '_blank', rel: 'noopener', 'aria-describedby': 'jobs-dashboard-hint' }, t('jobs.dashboard')),
      h('button', { type: 'button', class: 'secondary', on: { click: () => ctx.rerender() } }, t('jobs.refresh'))),
    h('p', { class: 'muted' }, t('jobs.intro'), ' ', h('span', { id: 'jobs-dashboard-hint' }, t('jobs.dashboardHint'))),
    h('form', {
      class: 'filters',
      on: {
        submit: (event) => {
          event.preventDefault();
          ctx.navigate(`#/jobs${qs({ job: job.value, limit: limit.value === '100' ? '' : limit.value })}`);
        },
      },
    }, field(t('jobs.job'), job), field(t('jobs.limit'), limit), h('button', { type: 'submit', class: 'primary' }, t('jobs.apply'))),
    results);

  try {
    const [runs, all] = await Promise.all([
      get(`/api/jobs/runs${qs({ job: chosen.job, limit: chosen.limit })}`),
      chosen.job ? get('/api/jobs/runs?limit=500') : null,
    ]);
    for (const name of [...new Set((all ?? runs).map((r) => r.job))].sort()) {
      job.append(h('option', { value: name, selected: name === chosen.job }, jobName(name)));
    }
    fill(results, table([
      { label: t('jobs.col.job'), render: (r) => jobName(r.job) },
      { label: t('jobs.col.started'), render: (r) => fmtDateTime(r.startedAt) },
      {
        label: t('jobs.col.duration'), align: 'right',
        render: (r) => (r.finishedAt ? t('jobs.seconds', { n: fmtNumber((new Date(r.finishedAt) - new Date(r.startedAt)) / 1000, { maximumFractionDigits: 1 }) }) : '—'),
      },
      { label: t('jobs.col.outcome'), render: (r) => badge(has(`jobs.outcome.${r.outcome}`) ? t(`jobs.outcome.${r.outcome}`) : r.outcome, outcomeKind[r.outcome] ?? 'info') },
      { label: t('jobs.col.summary'), render: (r) => (r.error ? h('span', { class: 'overdue-text' }, r.error) : r.summary ?? '—') },
    ], runs, { empty: t('jobs.empty'), caption: t('jobs.title'), rowClass: (r) => (r.outcome === 'failed' ? 'overdue' : null) }));
  } catch (error) {
    fill(results, errorBox(error));
  }
}
