// The menu's categories as a manager keeps them: named in words (the id is made from the name),
// renamed, moved up and down, deleted after asking, and a category that still holds dishes is
// not deleted, with the dishes named. Every change says what it did, or why not, on its row.
import { api } from './api.js';
import { h } from './ui.js';
import { idFrom } from './item-editor.js';

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
    throw new ChangedMeanwhile(`${shown.name} was changed meanwhile: here it is as it is now; make your change again.`);
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
  const refused = (problem) => (problem instanceof ChangedMeanwhile ? reload(problem.message) : say(problem.message, true));

  /** Stores every category at its place in `order` (10, 20, …), writing only those that moved. */
  async function reorder(order, moved) {
    try {
      for (const [index, category] of order.entries()) {
        const position = (index + 1) * 10;
        if (category.position === position) continue;
        const { category: now, version } = await asShown(slug, category);
        await api('PUT', `/v1/restaurants/${slug}/menu/categories/${category.id}`, { token, body: { name: now.name, description: now.description, position, version } });
      }
      reload(`${moved} moved.`);
    } catch (problem) { refused(problem); }
  }

  function row(category, index) {
    const item = h('li', { 'data-category': category.id });
    const dishes = menu.items.filter((dish) => dish.category === category.id);
    const name = h('input', { value: category.name, required: true, maxlength: 100, 'aria-label': `Name of ${category.name}` });
    const rename = async (event) => {
      event.preventDefault();
      const wanted = name.value.trim();
      if (!wanted) return say('A category needs a name.', true);
      try {
        const { category: now, version } = await asShown(slug, category);
        await api('PUT', `/v1/restaurants/${slug}/menu/categories/${category.id}`, { token, body: { name: wanted, description: now.description, position: now.position, version } });
        reload(`${category.name} is now called ${wanted}.`);
      } catch (problem) { refused(problem); }
    };
    const swap = (other) => {
      const order = [...ordered];
      [order[index], order[other]] = [order[other], order[index]];
      reorder(order, category.name);
    };
    const askDelete = () => {
      if (dishes.length) {
        const named = dishes.slice(0, 3).map((d) => d.name).join(', ') + (dishes.length > 3 ? ` and ${dishes.length - 3} more` : '');
        return say(`${category.name} still holds ${named}: move them to another category or delete them first.`, true);
      }
      item.replaceChildren(h('p', {}, `Delete ${category.name}?`),
        h('button', { type: 'button', onclick: async () => {
          try {
            const { version } = await asShown(slug, category);
            await api('DELETE', `/v1/restaurants/${slug}/menu/categories/${category.id}?version=${version}`, { token });
            reload(`${category.name} is deleted.`);
          } catch (problem) { refused(problem); }
        } }, 'Yes, delete'),
        h('button', { type: 'button', onclick: () => item.replaceWith(row(category, index)) }, 'Keep it'));
    };
    item.append(
      h('form', { class: 'inline', onsubmit: rename }, name, h('button', { type: 'submit' }, 'Rename')),
      h('small', {}, dishes.length === 1 ? ' 1 dish ' : ` ${dishes.length} dishes `),
      h('button', { type: 'button', disabled: index === 0, 'aria-label': `Move ${category.name} up`, onclick: () => swap(index - 1) }, '↑'),
      h('button', { type: 'button', disabled: index === ordered.length - 1, 'aria-label': `Move ${category.name} down`, onclick: () => swap(index + 1) }, '↓'),
      h('button', { type: 'button', class: 'link', onclick: askDelete }, `Delete ${category.name}`));
    return item;
  }

  const newName = h('input', { id: 'new-category', required: true, maxlength: 100 });
  const add = h('form', { 'aria-label': 'Add a category', onsubmit: async (event) => {
    event.preventDefault();
    const wanted = newName.value.trim();
    if (!wanted) return say('A category needs a name.', true);
    const id = idFrom(wanted, ordered.map((c) => c.id));
    const position = ((ordered.at(-1)?.position ?? 0) + 10);
    try {
      await api('POST', `/v1/restaurants/${slug}/menu/categories`, { token, body: { id, name: wanted, position } });
      reload(`${wanted} is added.`);
    } catch (problem) { say(problem.message, true); }
  } }, h('label', { for: 'new-category' }, 'Name of a new category '), newName, h('button', { type: 'submit' }, 'Add category'));

  list.append(...ordered.map(row));
  return h('section', { 'aria-labelledby': 'categories-title' },
    h('h2', { id: 'categories-title' }, 'Categories'), said,
    ordered.length ? list : h('p', {}, 'No categories yet: add the first, then its dishes.'), add);
}
