// The menu's categories as a manager keeps them: named in words (the id is made from the name),
// renamed, moved up and down, deleted after asking, and a category that still holds dishes is
// not deleted, with the dishes named. Every change says what it did, or why not, on its row.
import { api } from './api.js';
import { h } from './ui.js';
import { idFrom } from './item-editor.js';
import { guestMessage, t } from './words.js';

/** Someone else changed a category this page shows; the page is drawn again as it is now. */
class ChangedMeanwhile extends Error {}

/**
 * The category as stored now, with the version an edit must name (the menu lists categories
 * without it), as long as it is still what this page shows: a change made elsewhere meanwhile
 * is never written over.
 */
async function asShown(slug, shown) {
  const found = await api('GET', `/v1/restaurants/${slug}/menu/categories/${shown.id}`);
  if (found.category.name !== shown.name || found.category.position !== shown.position) {
    throw new ChangedMeanwhile(t('mgr.cat.changed', { name: shown.name }));
  }
  return found;
}

// What the last change did: the page is drawn anew after each, and this is said on the new one.
let lastSaid = '';

export function categoriesSection(slug, token, menu, redraw) {
  const reload = (message) => { lastSaid = message; redraw(); };
  const ordered = [...menu.categories].sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
  const list = h('ol', { class: 'categories', 'data-testid': 'categories' });
  const said = h('p', { role: 'status', class: 'row-status', 'data-testid': 'categories-status' }, lastSaid);
  lastSaid = '';
  const say = (message, isError) => { said.textContent = message; said.classList.toggle('error', Boolean(isError)); };
  const refused = (problem) => (problem instanceof ChangedMeanwhile ? reload(problem.message) : say(guestMessage(problem), true));

  /** Stores every category at its place in `order` (10, 20, …), writing only those that moved. */
  async function reorder(order, moved) {
    try {
      for (const [index, category] of order.entries()) {
        const position = (index + 1) * 10;
        if (category.position === position) continue;
        const { category: now, version } = await asShown(slug, category);
        await api('PUT', `/v1/restaurants/${slug}/menu/categories/${category.id}`, { token, body: { name: now.name, description: now.description, position, version } });
      }
      reload(t('mgr.moved', { name: moved }));
    } catch (problem) { refused(problem); }
  }

  function row(category, index) {
    const item = h('li', { 'data-category': category.id });
    const dishes = menu.items.filter((dish) => dish.category === category.id);
    const name = h('input', { value: category.name, required: true, maxlength: 100, 'aria-label': t('mgr.cat.name_of', { name: category.name }) });
    const rename = async (event) => {
      event.preventDefault();
      const wanted = name.value.trim();
      if (!wanted) return say(t('mgr.cat.needs_name'), true);
      try {
        const { category: now, version } = await asShown(slug, category);
        await api('PUT', `/v1/restaurants/${slug}/menu/categories/${category.id}`, { token, body: { name: wanted, description: now.description, position: now.position, version } });
        reload(t('mgr.cat.renamed', { name: category.name, wanted }));
      } catch (problem) { refused(problem); }
    };
    const swap = (other) => {
      const order = [...ordered];
      [order[index], order[other]] = [order[other], order[index]];
      reorder(order, category.name);
    };
    const askDelete = () => {
      if (dishes.length) {
        const named = dishes.slice(0, 3).map((d) => d.name).join(', ') + (dishes.length > 3 ? ` ${t('mgr.cat.and_more', { count: dishes.length - 3 })}` : '');
        return say(t('mgr.cat.still_holds', { name: category.name, dishes: named }), true);
      }
      item.replaceChildren(h('p', {}, t('mgr.cat.delete_ask', { name: category.name })),
        h('button', { type: 'button', onclick: async () => {
          try {
            const { version } = await asShown(slug, category);
            await api('DELETE', `/v1/restaurants/${slug}/menu/categories/${category.id}?version=${version}`, { token });
            reload(t('mgr.deleted_named', { name: category.name }));
          } catch (problem) { refused(problem); }
        } }, t('mgr.yes_delete')),
        h('button', { type: 'button', onclick: () => item.replaceWith(row(category, index)) }, t('staff.keep_it')));
    };
    item.append(
      h('form', { class: 'inline', onsubmit: rename }, name, h('button', { type: 'submit' }, t('mgr.cat.rename'))),
      h('small', {}, ` ${dishes.length === 1 ? t('mgr.cat.one_dish') : t('mgr.cat.dishes', { count: dishes.length })} `),
      h('button', { type: 'button', disabled: index === 0, 'aria-label': t('mgr.move_up', { name: category.name }), onclick: () => swap(index - 1) }, '↑'),
      h('button', { type: 'button', disabled: index === ordered.length - 1, 'aria-label': t('mgr.move_down', { name: category.name }), onclick: () => swap(index + 1) }, '↓'),
      h('button', { type: 'button', class: 'link', onclick: askDelete }, t('mgr.delete_named', { name: category.name })));
    return item;
  }

  const newName = h('input', { id: 'new-category', required: true, maxlength: 100 });
  const add = h('form', { 'aria-label': t('mgr.cat.add_form'), onsubmit: async (event) => {
    event.preventDefault();
    const wanted = newName.value.trim();
    if (!wanted) return say(t('mgr.cat.needs_name'), true);
    const id = idFrom(wanted, ordered.map((c) => c.id));
    const position = ((ordered.at(-1)?.position ?? 0) + 10);
    try {
      await api('POST', `/v1/restaurants/${slug}/menu/categories`, { token, body: { id, name: wanted, position } });
      reload(t('mgr.cat.added', { name: wanted }));
    } catch (problem) { say(guestMessage(problem), true); }
  } }, h('label', { for: 'new-category' }, `${t('mgr.cat.new_name')} `), newName, h('button', { type: 'submit' }, t('mgr.cat.add')));

  list.append(...ordered.map(row));
  return h('section', { 'aria-labelledby': 'categories-title' },
    h('h2', { id: 'categories-title' }, t('mgr.cat.title')), said,
    ordered.length ? list : h('p', {}, t('mgr.cat.none')), add);
}
