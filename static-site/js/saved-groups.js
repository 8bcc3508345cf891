// Saved groups of choices on the manager's menu: "Spice level" written once and given to many
// dishes (in each dish's editor); changing it here changes it on every dish that has it.
import { api } from './api.js';
import { optionGroupsEditor } from './item-editor.js';
import { h } from './ui.js';

/** One saved group: its editor, saved for every dish at once, and deleting it when no dish has it. */
function savedGroupForm(slug, token, currency, { group, version, dishes }, names, redraw) {
  const editor = optionGroupsEditor([group], currency, { single: true });
  const status = h('p', { role: 'status', class: 'row-status' });
  const onDishes = dishes.length ? `On ${dishes.map((id) => names.get(id) ?? id).join(', ')}.` : 'On no dish yet: add it in a dish\'s editor.';
  const form = h('form', { class: 'editor', 'aria-label': `Saved group ${group.name}` }, h('p', { class: 'note' }, onDishes), editor.element, status,
    h('button', { type: 'submit' }, `Save ${group.name} for every dish`),
    dishes.length ? '' : h('button', { type: 'button', class: 'link', onclick: async () => {
      try {
        await api('DELETE', `/v1/restaurants/${slug}/menu/option-groups/${group.id}?version=${version}`, { token });
        redraw(`${group.name} is deleted.`);
      } catch (problem) { status.textContent = problem.message; }
    } }, `Delete ${group.name}`));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const read = editor.read();
    if (read.problem) { status.textContent = read.problem; return; }
    try {
      const saved = await api('PUT', `/v1/restaurants/${slug}/menu/option-groups/${group.id}`, { token, body: { group: read.groups[0], version } });
      redraw(`${saved.group.name} is saved on ${saved.dishes.length === 1 ? 'one dish' : `${saved.dishes.length} dishes`}.`);
    } catch (problem) {
      status.textContent = problem.code === 'stale_version' ? 'Someone changed this group meanwhile: reload the page, then change it again.' : problem.message;
    }
  });
  return h('details', { class: 'saved-group' }, h('summary', {}, `${group.name} (${dishes.length === 1 ? 'on one dish' : `on ${dishes.length} dishes`})`), form);
}

/** The section: every saved group, and a form to save a new one. */
export function savedGroupsSection(slug, token, menu, groups, redraw) {
  const names = new Map(menu.items.map((item) => [item.id, item.name]));
  const editor = optionGroupsEditor([], menu.currency, { single: true });
  const status = h('p', { role: 'status', class: 'row-status' });
  const form = h('form', { class: 'editor', 'aria-label': 'New saved group' }, editor.element, status, h('button', { type: 'submit' }, 'Save the group'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const read = editor.read();
    if (read.problem || !read.groups.length) { status.textContent = read.problem ?? 'Add a group of options first.'; return; }
    try {
      const saved = await api('POST', `/v1/restaurants/${slug}/menu/option-groups`, { token, body: { group: read.groups[0] } });
      redraw(`${saved.group.name} is saved: add it to dishes in their editors.`);
    } catch (problem) { status.textContent = problem.message; }
  });
  return h('section', { 'aria-labelledby': 'saved-groups-title' }, h('h2', { id: 'saved-groups-title' }, 'Saved groups of choices'),
    h('p', { class: 'note' }, 'Choices many dishes share, like a spice level: written once, changed once for every dish that has them.'),
    groups.map((saved) => savedGroupForm(slug, token, menu.currency, saved, names, redraw)),
    h('details', {}, h('summary', {}, 'Save a new group'), form));
}
