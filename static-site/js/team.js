// The restaurant's staff, as its owner runs it: who can sign in and as what, hiring, changing a
// role, disabling, removing (after asking) and setting a forgotten password. Managers see the list.
import { api } from './api.js';
import { h } from './ui.js';

const ROLES = { owner: 'Owner', manager: 'Manager', staff: 'Kitchen and floor', driver: 'Driver' };

export async function teamSection(slug, current) {
  const token = current.token;
  const owner = current.account.role === 'owner';
  const box = h('div', { class: 'team' });
  const said = h('p', { role: 'status', 'data-testid': 'team-status' });
  const say = (message, isError) => { said.textContent = message; said.classList.toggle('error', Boolean(isError)); };

  async function change(account, method, path, body, done) {
    try {
      await api(method, `/v1/restaurants/${slug}/staff/${account.id}${path}`, { token, body });
    } catch (problem) { say(`${account.name}: ${problem.message}`, true); return; }
    await load(done);
  }

  function row(account) {
    const me = account.id === current.account.id;
    const actions = h('td', {});
    const roleId = `role-${account.id}`;
    const role = h('select', { id: roleId, disabled: !owner || me, onchange: () => change(account, 'PATCH', '', { role: role.value }, `${account.name} is now ${ROLES[role.value]}.`) },
      Object.entries(ROLES).map(([value, label]) => h('option', { value, selected: value === account.role }, label)));
    const plain = () => actions.replaceChildren(
      h('button', { type: 'button', onclick: () => change(account, 'PATCH', '', { disabled: !account.disabled }, account.disabled ? `${account.name} can sign in again.` : `${account.name} can no longer sign in.`) },
        account.disabled ? `Enable ${account.name}` : `Disable ${account.name}`),
      h('button', { type: 'button', onclick: () => askPassword() }, `New password for ${account.name}`),
      h('button', { type: 'button', class: 'link', onclick: () => askRemove() }, `Remove ${account.name}`));
    const askRemove = () => actions.replaceChildren(h('p', {}, `Remove ${account.name}? Their logins end at once.`),
      h('button', { type: 'button', class: 'danger', onclick: () => change(account, 'DELETE', '', undefined, `${account.name} is removed.`) }, 'Yes, remove'),
      h('button', { type: 'button', onclick: plain }, 'Keep'));
    const askPassword = () => {
      const id = `password-${account.id}`;
      const input = h('input', { id, type: 'password', minlength: 10, maxlength: 128, autocomplete: 'new-password' });
      actions.replaceChildren(h('label', { for: id }, `New password for ${account.name} (10+ characters)`), input,
        h('button', { type: 'button', onclick: () => (input.value.length < 10 ? say('A password has at least 10 characters.', true)
          : change(account, 'PUT', '/password', { password: input.value }, `${account.name} has a new password; their old logins ended.`)) }, 'Set password'),
        h('button', { type: 'button', onclick: plain }, 'Cancel'));
      input.focus();
    };
    if (owner && !me) plain();
    return h('tr', { 'data-account': account.id },
      h('th', { scope: 'row' }, account.name, h('br'), h('small', {}, account.email), account.disabled ? h('small', {}, ' (disabled)') : ''),
      h('td', {}, h('label', { for: roleId, class: 'visually-hidden' }, `Role of ${account.name}`), role), actions);
  }

  // What a change confirms stands once the list shows it, so the two never disagree.
  async function load(done) {
    try {
      const accounts = await api('GET', `/v1/restaurants/${slug}/staff`, { token });
      box.replaceChildren(h('table', { class: 'history', 'data-testid': 'team' },
        h('thead', {}, h('tr', {}, ['Name', 'Role', 'Change'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, accounts.map(row))));
      if (done) say(done);
    } catch (problem) { say(done ? `${done} ${problem.message}` : problem.message, true); }
  }

  function hireForm() {
    const form = h('form', { 'aria-label': 'Add a staff account' },
      h('label', {}, 'E-mail ', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' })),
      h('label', {}, 'Name ', h('input', { name: 'name', required: true, maxlength: 100 })),
      h('label', {}, 'Password (10+ characters) ', h('input', { name: 'password', type: 'password', minlength: 10, required: true, autocomplete: 'new-password' })),
      h('label', {}, 'Role ', h('select', { name: 'role' }, ['staff', 'manager', 'driver'].map((r) => h('option', { value: r }, ROLES[r])))),
      h('button', { type: 'submit' }, 'Add'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      try {
        await api('POST', `/v1/restaurants/${slug}/staff`, { token, body: data });
      } catch (problem) { say(problem.message, true); return; }
      form.reset();
      await load(`${data.name} can sign in now as ${ROLES[data.role]}.`);
    });
    return form;
  }

  await load();
  return h('section', { 'aria-labelledby': 'team-title' }, h('h2', { id: 'team-title' }, 'Staff'), said, box,
    owner ? h('details', {}, h('summary', {}, 'Add a staff account'), hireForm()) : h('p', { class: 'note' }, 'Only the owner hires and changes staff.'));
}
