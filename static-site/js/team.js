// The restaurant's staff, as its owner runs it: who can sign in and as what, hiring, changing a
// role, disabling, removing (after asking) and setting a forgotten password. Managers see the list.
import { api } from './api.js';
import { h } from './ui.js';
import { guestMessage, t } from './words.js';

const ROLES = ['owner', 'manager', 'staff', 'driver'];
const roleName = (role) => t(`mgr.role.${role}`);

export async function teamSection(slug, current) {
  const token = current.token;
  const owner = current.account.role === 'owner';
  const box = h('div', { class: 'team' });
  const said = h('p', { role: 'status', 'data-testid': 'team-status' });
  const say = (message, isError) => { said.textContent = message; said.classList.toggle('error', Boolean(isError)); };

  async function change(account, method, path, body, done) {
    try {
      await api(method, `/v1/restaurants/${slug}/staff/${account.id}${path}`, { token, body });
    } catch (problem) { say(`${account.name}: ${guestMessage(problem)}`, true); return; }
    await load(done);
  }

  function row(account) {
    const me = account.id === current.account.id;
    const actions = h('td', {});
    const roleId = `role-${account.id}`;
    const role = h('select', { id: roleId, disabled: !owner || me, onchange: () => change(account, 'PATCH', '', { role: role.value }, t('mgr.team.role_changed', { name: account.name, role: roleName(role.value) })) },
      ROLES.map((value) => h('option', { value, selected: value === account.role }, roleName(value))));
    const plain = () => actions.replaceChildren(
      h('button', { type: 'button', onclick: () => change(account, 'PATCH', '', { disabled: !account.disabled }, t(account.disabled ? 'mgr.team.enabled' : 'mgr.team.disabled', { name: account.name })) },
        t(account.disabled ? 'mgr.team.enable' : 'mgr.team.disable', { name: account.name })),
      h('button', { type: 'button', onclick: () => askPassword() }, t('mgr.team.new_password', { name: account.name })),
      h('button', { type: 'button', class: 'link', onclick: () => askRemove() }, t('mgr.item.remove_option', { name: account.name })));
    const askRemove = () => actions.replaceChildren(h('p', {}, t('mgr.team.remove_ask', { name: account.name })),
      h('button', { type: 'button', class: 'danger', onclick: () => change(account, 'DELETE', '', undefined, t('mgr.team.removed', { name: account.name })) }, t('mgr.team.yes_remove')),
      h('button', { type: 'button', onclick: plain }, t('mgr.team.keep')));
    const askPassword = () => {
      const id = `password-${account.id}`;
      const input = h('input', { id, type: 'password', minlength: 10, maxlength: 128, autocomplete: 'new-password' });
      actions.replaceChildren(h('label', { for: id }, t('mgr.team.new_password_label', { name: account.name })), input,
        h('button', { type: 'button', onclick: () => (input.value.length < 10 ? say('A password has at least 10 characters.', true)
          : change(account, 'PUT', '/password', { password: input.value }, t('mgr.team.password_set', { name: account.name }))) }, t('mgr.team.set_password')),
        h('button', { type: 'button', onclick: plain }, t('mgr.team.cancel')));
      input.focus();
    };
    if (owner && !me) plain();
    return h('tr', { 'data-account': account.id },
      h('th', { scope: 'row' }, account.name, h('br'), h('small', {}, account.email), account.disabled ? h('small', {}, ` ${t('mgr.team.is_disabled')}`) : ''),
      h('td', {}, h('label', { for: roleId, class: 'visually-hidden' }, t('mgr.team.role_of', { name: account.name })), role), actions);
  }

  // What a change confirms stands once the list shows it, so the two never disagree.
  async function load(done) {
    try {
      const accounts = await api('GET', `/v1/restaurants/${slug}/staff`, { token });
      box.replaceChildren(h('table', { class: 'history', 'data-testid': 'team' },
        h('thead', {}, h('tr', {}, ['mgr.item.name', 'mgr.team.role', 'mgr.team.change'].map((key) => h('th', { scope: 'col' }, t(key))))),
        h('tbody', {}, accounts.map(row))));
      if (done) say(done);
    } catch (problem) { say(done ? `${done} ${guestMessage(problem)}` : guestMessage(problem), true); }
  }

  function hireForm() {
    const form = h('form', { 'aria-label': t('mgr.team.add_form') },
      h('label', {}, `${t('staff.email')} `, h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' })),
      h('label', {}, `${t('mgr.item.name')} `, h('input', { name: 'name', required: true, maxlength: 100 })),
      h('label', {}, `${t('mgr.team.password_label')} `, h('input', { name: 'password', type: 'password', minlength: 10, required: true, autocomplete: 'new-password' })),
      h('label', {}, `${t('mgr.team.role')} `, h('select', { name: 'role' }, ['staff', 'manager', 'driver'].map((r) => h('option', { value: r }, roleName(r))))),
      h('button', { type: 'submit' }, t('mgr.team.add')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      try {
        await api('POST', `/v1/restaurants/${slug}/staff`, { token, body: data });
      } catch (problem) { say(guestMessage(problem), true); return; }
      form.reset();
      await load(t('mgr.team.hired', { name: data.name, role: roleName(data.role) }));
    });
    return form;
  }

  await load();
  return h('section', { 'aria-labelledby': 'team-title' }, h('h2', { id: 'team-title' }, t('mgr.section.staff')), said, box,
    owner ? h('details', {}, h('summary', {}, t('mgr.team.add_form')), hireForm()) : h('p', { class: 'note' }, t('mgr.team.owner_only')));
}
