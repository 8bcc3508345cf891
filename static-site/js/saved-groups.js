// Saved groups of choices on the manager's menu: "Spice level" written once and given to many
// dishes (in each dish's editor); changing it here changes it on every dish that has it.
import { api } from './api.js';
import { optionGroupsEditor } from './item-editor.js';
import { h } from './ui.js';
import { guestMessage, t } from './words.js';

/** One saved group: its editor, saved for every dish at once, and deleting it when no dish has it. */
function savedGroupForm(slug, token, currency, { group, version, dishes }, names, redraw) {
  const editor = optionGroupsEditor([group], currency, { single: true });
  const status = h('p', { role: 'status', class: 'row-status' });
  const onDishes = dishes.length ? t('mgr.group.on', { dishes: dishes.map((id) => names.get(id) ?? id).join(', ') }) : t('mgr.group.on_none');
  const form = h('form', { class: 'editor', 'aria-label': t('mgr.group.form', { name: group.name }) }, h('p', { class: 'note' }, onDishes), editor.element, status,
    h('button', { type: 'submit' }, t('mgr.group.save_every', { name: group.name })),
    dishes.length ? '' : h('button', { type: 'button', class: 'link', onclick: async () => {
      try {
        await api('DELETE', `/v1/restaurants/${slug}/menu/option-groups/${group.id}?version=${version}`, { token });
        redraw(t('mgr.deleted_named', { name: group.name }));
      } catch (problem) { status.textContent = guestMessage(problem); }
    } }, t('mgr.delete_named', { name: group.name })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const read = editor.read();
    if (read.problem) { status.textContent = read.problem; return; }
    try {
      const saved = await api('PUT', `/v1/restaurants/${slug}/menu/option-groups/${group.id}`, { token, body: { group: read.groups[0], version } });
      redraw(t(saved.dishes.length === 1 ? 'mgr.group.saved_one' : 'mgr.group.saved_on', { name: saved.group.name, count: saved.dishes.length }));
    } catch (problem) {
      status.textContent = problem.code === 'stale_version' ? t('mgr.group.stale') : guestMessage(problem);
    }
  });
  return h('details', { class: 'saved-group' }, h('summary', {}, t(dishes.length === 1 ? 'mgr.group.summary_one' : 'mgr.group.summary', { name: group.name, count: dishes.length })), form);
}

/** The section: every saved group, and a form to save a new one. */
export function savedGroupsSection(slug, token, menu, groups, redraw) {
  const names = new Map(menu.items.map((item) => [item.id, item.name]));
  const editor = optionGroupsEditor([], menu.currency, { single: true });
  const status = h('p', { role: 'status', class: 'row-status' });
  const form = h('form', { class: 'editor', 'aria-label': t('mgr.group.new_form') }, editor.element, status, h('button', { type: 'submit' }, t('mgr.group.save')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const read = editor.read();
    if (read.problem || !read.groups.length) { status.textContent = read.problem ?? t('mgr.group.add_first'); return; }
    try {
      const saved = await api('POST', `/v1/restaurants/${slug}/menu/option-groups`, { token, body: { group: read.groups[0] } });
      redraw(t('mgr.group.created', { name: saved.group.name }));
    } catch (problem) { status.textContent = guestMessage(problem); }
  });
  return h('section', { 'aria-labelledby': 'saved-groups-title' }, h('h2', { id: 'saved-groups-title' }, t('mgr.group.title')),
    h('p', { class: 'note' }, t('mgr.group.explain')),
    groups.map((saved) => savedGroupForm(slug, token, menu.currency, saved, names, redraw)),
    h('details', {}, h('summary', {}, t('mgr.group.new')), form));
}
