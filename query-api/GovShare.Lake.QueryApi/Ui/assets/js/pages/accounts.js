// Staff accounts for the operator: the list, a new account (roles limited to what the agency's kind allows), and per account
// a password reset, unlocking, disabling or enabling and changing roles. A temporary password is shown once, in a dialog.
import { t, addStrings, fmtDateTime, localName, has } from '../i18n.js';
import { get, post, patch } from '../api.js';
import { h, fill, pageHeader, table, badge, field, select, loading, errorBox, errorText, toast, dialog, busy } from '../ui.js';

// What each kind of agency's staff may hold (the same rule the API enforces).
const ROLES_BY_KIND = {
  provider: ['analyst', 'provider_admin'],
  operator: ['analyst', 'reviewer', 'operator'],
  consumer: ['analyst'],
};

addStrings({
  zh: {
    'accounts.title': '用户管理',
    'accounts.intro': '各部门工作人员的登录账号。新建账号和重置密码会生成一次性显示的临时密码，用户首次登录时必须修改。',
    'accounts.create': '新建账号',
    'accounts.username': '用户名',
    'accounts.usernameHint': '3–64 位小写字母、数字或 . - _',
    'accounts.displayName': '姓名',
    'accounts.agency': '所属部门',
    'accounts.roles': '角色',
    'accounts.rolesHint': '可选角色取决于部门类型。',
    'accounts.needRole': '请至少选择一个角色。',
    'accounts.needFields': '请填写用户名、姓名并选择部门。',
    'accounts.created': '账号 {username} 已创建。',
    'accounts.col.username': '用户名',
    'accounts.col.name': '姓名',
    'accounts.col.agency': '部门',
    'accounts.col.roles': '角色',
    'accounts.col.state': '状态',
    'accounts.col.lastSignIn': '最近登录',
    'accounts.col.actions': '操作',
    'accounts.state.active': '正常',
    'accounts.state.disabled': '已停用',
    'accounts.state.locked': '已锁定至 {until}',
    'accounts.state.temporary': '临时密码',
    'accounts.never': '从未登录',
    'accounts.reset': '重置密码',
    'accounts.resetConfirm': '为 {username} 生成新的临时密码？原密码将立即失效，其登录会话将结束。',
    'accounts.unlock': '解锁',
    'accounts.unlocked': '账号 {username} 已解锁。',
    'accounts.disable': '停用',
    'accounts.enable': '启用',
    'accounts.disableConfirm': '停用 {username}？其登录会话将立即结束。',
    'accounts.disabledDone': '账号 {username} 已停用。',
    'accounts.enabledDone': '账号 {username} 已启用。',
    'accounts.editRoles': '修改角色',
    'accounts.rolesTitle': '修改 {username} 的角色',
    'accounts.rolesNote': '修改角色后，该账号的登录会话将结束。',
    'accounts.rolesDone': '已修改 {username} 的角色。',
    'accounts.save': '保存',
    'accounts.confirm': '确定',
    'accounts.passwordTitle': '临时密码',
    'accounts.passwordText': '{username} 的临时密码如下。此密码只显示这一次，请通过安全渠道交给本人；首次登录时必须修改。',
    'accounts.passwordLabel': '临时密码',
    'accounts.copy': '复制',
    'accounts.copied': '已复制到剪贴板。',
    'accounts.done': '我已记下',
    'accounts.noTemporary': '账号已按给定的初始密码创建。',
    'accounts.kind.provider': '提供部门',
    'accounts.kind.consumer': '使用部门',
    'accounts.kind.operator': '平台运营',
  },
  en: {
    'accounts.title': 'Accounts',
    'accounts.intro': 'The sign-in accounts of agencies\' staff. A new account and a password reset give a temporary password, shown once, to be changed at the first sign-in.',
    'accounts.create': 'New account',
    'accounts.username': 'Username',
    'accounts.usernameHint': '3–64 lower-case letters, digits or . - _',
    'accounts.displayName': 'Name',
    'accounts.agency': 'Agency',
    'accounts.roles': 'Roles',
    'accounts.rolesHint': 'The roles offered depend on the kind of agency.',
    'accounts.needRole': 'Choose at least one role.',
    'accounts.needFields': 'Give a username and a name, and choose the agency.',
    'accounts.created': 'Account {username} created.',
    'accounts.col.username': 'Username',
    'accounts.col.name': 'Name',
    'accounts.col.agency': 'Agency',
    'accounts.col.roles': 'Roles',
    'accounts.col.state': 'State',
    'accounts.col.lastSignIn': 'Last sign-in',
    'accounts.col.actions': 'Actions',
    'accounts.state.active': 'Active',
    'accounts.state.disabled': 'Disabled',
    'accounts.state.locked': 'Locked until {until}',
    'accounts.state.temporary': 'Temporary password',
    'accounts.never': 'Never',
    'accounts.reset': 'Reset password',
    'accounts.resetConfirm': 'Issue a new temporary password for {username}? The old one stops working and their sessions end.',
    'accounts.unlock': 'Unlock',
    'accounts.unlocked': 'Account {username} unlocked.',
    'accounts.disable': 'Disable',
    'accounts.enable': 'Enable',
    'accounts.disableConfirm': 'Disable {username}? Their sessions end at once.',
    'accounts.disabledDone': 'Account {username} disabled.',
    'accounts.enabledDone': 'Account {username} enabled.',
    'accounts.editRoles': 'Change roles',
    'accounts.rolesTitle': 'Roles of {username}',
    'accounts.rolesNote': 'Changing the roles ends the account\'s sessions.',
    'accounts.rolesDone': 'Roles of {username} changed.',
    'accounts.save': 'Save',
    'accounts.confirm': 'Confirm',
    'accounts.passwordTitle': 'Temporary password',
    'accounts.passwordText': 'The temporary password of {username} is below. It is shown only this once: hand it to the person through a safe channel; they must change it at the first sign-in.',
    'accounts.passwordLabel': 'Temporary password',
    'accounts.copy': 'Copy',
    'accounts.copied': 'Copied to the clipboard.',
    'accounts.done': 'I have noted it',
    'accounts.noTemporary': 'The account was created with the initial password given.',
    'accounts.kind.provider': 'Provider',
    'accounts.kind.consumer': 'Consumer',
    'accounts.kind.operator': 'Operator',
  },
});

const roleLabel = (role) => (has(`role.${role}`) ? t(`role.${role}`) : role);

// The agencies an account may belong to: every agency the platform knows (GET /api/agencies).
function agenciesFrom(list) {
  return list.map((a) => ({ code: a.code, name: { zh: a.nameZh, en: a.nameEn }, kind: a.kind })).sort((a, b) => a.code.localeCompare(b.code));
}

function roleBoxes(kind, chosen = []) {
  const allowed = ROLES_BY_KIND[kind] ?? ROLES_BY_KIND.consumer;
  const boxes = allowed.map((role) => h('input', { type: 'checkbox', name: 'roles', value: role, checked: chosen.includes(role) }));
  const group = h('fieldset', { class: 'role-boxes' }, h('legend', null, t('accounts.roles')),
    boxes.map((box) => h('label', { class: 'check' }, box, roleLabel(box.value))),
    h('div', { class: 'hint' }, t('accounts.rolesHint')));
  return { group, chosen: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

/** Shows a temporary password once; resolves when the dialog is closed. */
async function showPassword(username, password) {
  const output = h('input', { readonly: true, value: password, class: 'temporary-password', 'aria-label': t('accounts.passwordLabel'), size: 24 });
  const copy = h('button', {
    type: 'button', class: 'secondary',
    on: {
      click: async () => {
        output.select();
        try {
          await navigator.clipboard.writeText(password);
          toast(t('accounts.copied'));
        } catch {
          // The clipboard may be refused (no secure context); the selected text can still be copied by hand.
        }
      },
    },
  }, t('accounts.copy'));
  await dialog(t('accounts.passwordTitle'), [h('p', null, t('accounts.passwordText', { username })), h('div', { class: 'row' }, output, copy)],
    [{ label: t('accounts.done'), value: true }]);
}

export async function render(view, ctx) {
  fill(view, pageHeader(t('accounts.title')), loading());
  let accounts;
  let known;
  try {
    [accounts, known] = await Promise.all([get('/api/accounts'), get('/api/agencies')]);
  } catch (error) {
    fill(view, pageHeader(t('accounts.title')), errorBox(error));
    return;
  }
  const agencies = agenciesFrom(known);
  const list = h('div');
  const me = ctx.session.account.username;

  const redraw = async () => {
    try {
      accounts = await get('/api/accounts');
      drawList();
    } catch (error) {
      fill(list, errorBox(error));
    }
  };

  function drawList() {
    fill(list, table([
      { label: t('accounts.col.username'), render: (a) => h('code', null, a.username) },
      { label: t('accounts.col.name'), render: (a) => a.displayName },
      { label: t('accounts.col.agency'), render: (a) => localName({ zh: a.agency.nameZh, en: a.agency.nameEn }) },
      { label: t('accounts.col.roles'), render: (a) => a.roles.map(roleLabel).join('、') },
      { label: t('accounts.col.state'), render: (a) => stateBadges(a) },
      { label: t('accounts.col.lastSignIn'), render: (a) => (a.lastSignIn ? fmtDateTime(a.lastSignIn) : h('span', { class: 'muted' }, t('accounts.never'))) },
      { label: t('accounts.col.actions'), render: (a) => rowActions(a) },
    ], accounts, { caption: t('accounts.title'), rowClass: (a) => (a.disabled ? 'disabled-row' : null) }));
  }

  function stateBadges(a) {
    const locked = a.lockedUntil && new Date(a.lockedUntil) > new Date();
    return h('span', { class: 'badges' },
      a.disabled ? badge(t('accounts.state.disabled'), 'muted') : locked ? null : badge(t('accounts.state.active'), 'ok'),
      locked ? badge(t('accounts.state.locked', { until: fmtDateTime(a.lockedUntil) }), 'bad') : null,
      a.mustChangePassword ? badge(t('accounts.state.temporary'), 'warn') : null);
  }

  function rowActions(a) {
    const name = a.username;
    const path = `/api/accounts/${encodeURIComponent(name)}`;
    const reset = h('button', {
      type: 'button', class: 'secondary small', 'aria-label': `${t('accounts.reset')} ${name}`,
      on: {
        click: async () => {
          const sure = await dialog(t('accounts.reset'), h('p', null, t('accounts.resetConfirm', { username: name })), [{ label: t('accounts.confirm'), value: true }]);
          if (!sure) return;
          const issued = await busy(reset, () => post(`${path}/password-reset`));
          if (issued) {
            await showPassword(name, issued.temporaryPassword);
            await redraw();
          }
        },
      },
    }, t('accounts.reset'));
    const locked = a.lockedUntil && new Date(a.lockedUntil) > new Date();
    const unlock = locked || a.failedAttempts > 0 ? h('button', {
      type: 'button', class: 'secondary small', 'aria-label': `${t('accounts.unlock')} ${name}`,
      on: {
        click: async () => {
          if (await busy(unlock, () => post(`${path}/unlock`))) {
            toast(t('accounts.unlocked', { username: name }));
            await redraw();
          }
        },
      },
    }, t('accounts.unlock')) : null;
    const toggle = name === me ? null : h('button', {
      type: 'button', class: a.disabled ? 'secondary small' : 'danger small', 'aria-label': `${t(a.disabled ? 'accounts.enable' : 'accounts.disable')} ${name}`,
      on: {
        click: async () => {
          if (!a.disabled) {
            const sure = await dialog(t('accounts.disable'), h('p', null, t('accounts.disableConfirm', { username: name })),
              [{ label: t('accounts.disable'), value: true, kind: 'danger' }]);
            if (!sure) return;
          }
          if (await busy(toggle, () => patch(path, { disabled: !a.disabled }))) {
            toast(t(a.disabled ? 'accounts.enabledDone' : 'accounts.disabledDone', { username: name }));
            await redraw();
          }
        },
      },
    }, t(a.disabled ? 'accounts.enable' : 'accounts.disable'));
    const roles = h('button', {
      type: 'button', class: 'secondary small', 'aria-label': `${t('accounts.editRoles')} ${name}`,
      on: {
        click: async () => {
          const boxes = roleBoxes(a.agency.kind, a.roles);
          const chosen = await dialog(t('accounts.rolesTitle', { username: name }), [boxes.group, h('p', { class: 'muted' }, t('accounts.rolesNote'))],
            [{ label: t('accounts.save'), value: true, validate: () => (boxes.chosen().length ? null : t('accounts.needRole')) }]);
          if (!chosen) return;
          if (await busy(roles, () => patch(path, { roles: boxes.chosen() }))) {
            toast(t('accounts.rolesDone', { username: name }));
            await redraw();
          }
        },
      },
    }, t('accounts.editRoles'));
    return h('div', { class: 'row-actions' }, roles, reset, unlock, toggle);
  }

  // The new-account form.
  const username = h('input', { name: 'username', autocomplete: 'off', pattern: '[a-z0-9._\\-]{3,64}', required: true });
  const displayName = h('input', { name: 'displayName', autocomplete: 'off', required: true });
  const agency = select([{ value: '', label: '—' }, ...agencies.map((a) => ({
    value: a.code, label: `${localName(a.name)} (${a.code} · ${has(`accounts.kind.${a.kind}`) ? t(`accounts.kind.${a.kind}`) : a.kind})`,
  }))], '', { name: 'agency', required: true });
  const rolesHolder = h('div');
  let boxes = roleBoxes('consumer');
  const showRoles = () => {
    const kind = agencies.find((a) => a.code === agency.value)?.kind ?? 'consumer';
    boxes = roleBoxes(kind, []);
    fill(rolesHolder, boxes.group);
  };
  agency.addEventListener('change', showRoles);
  showRoles();
  const problem = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('accounts.create'));
  const form = h('form', {
    class: 'card account-form', 'aria-labelledby': 'accounts-create-title',
    on: {
      submit: async (event) => {
        event.preventDefault();
        problem.hidden = true;
        const roles = boxes.chosen();
        const fail = (text) => {
          problem.textContent = text;
          problem.hidden = false;
        };
        if (!username.value.trim() || !displayName.value.trim() || !agency.value) return fail(t('accounts.needFields'));
        if (!roles.length) return fail(t('accounts.needRole'));
        submit.disabled = true;
        try {
          const issued = await post('/api/accounts', { username: username.value.trim(), displayName: displayName.value.trim(), agency: agency.value, roles });
          toast(t('accounts.created', { username: issued.account.username }));
          if (issued.temporaryPassword) await showPassword(issued.account.username, issued.temporaryPassword);
          else toast(t('accounts.noTemporary'), 'info');
          form.reset();
          showRoles();
          await redraw();
        } catch (error) {
          fail(errorText(error));
        } finally {
          submit.disabled = false;
        }
        return undefined;
      },
    },
  },
  h('h2', { id: 'accounts-create-title' }, t('accounts.create')),
  problem,
  h('div', { class: 'form-grid' },
    field(t('accounts.username'), username, t('accounts.usernameHint')),
    field(t('accounts.displayName'), displayName),
    field(t('accounts.agency'), agency)),
  rolesHolder,
  submit);

  drawList();
  fill(view, pageHeader(t('accounts.title')), h('p', { class: 'muted' }, t('accounts.intro')), form, list);
}
