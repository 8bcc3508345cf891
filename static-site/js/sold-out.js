// Sold out from the board: the floor marks a dish sold out (or back) the moment the kitchen runs
// out, without the manage page. Guests' menus show it at their next check of the published menu.
import { api } from './api.js';
import { everyPage } from './ticket.js';
import { h } from './ui.js';

/** A folding list of the menu's dishes, each with its sold-out switch. */
export async function soldOutPanel(slug, token) {
  const status = h('p', { role: 'status', class: 'row-status', 'data-testid': 'sold-out-status' });
  const list = h('ul', { class: 'sold-out-list' });
  let items = [];
  try {
    items = await everyPage(`/v1/restaurants/${slug}/menu`, 'items', token);
  } catch (problem) {
    status.textContent = problem.message;
  }
  const row = (item) => {
    const id = `sold-out-${item.id}`;
    const box = h('input', { type: 'checkbox', id, checked: item.sold_out, onchange: async () => {
      box.disabled = true;
      try {
        const saved = await api('PUT', `/v1/restaurants/${slug}/menu/items/${item.id}/sold-out`, { token, body: { sold_out: box.checked, version: item.version } });
        Object.assign(item, saved);
        status.textContent = saved.sold_out ? `${saved.name} is sold out: guests cannot order it.` : `${saved.name} is back on the menu.`;
      } catch (problem) {
        box.checked = item.sold_out;
        status.textContent = problem.code === 'stale_version'
          ? `${item.name} was changed meanwhile: reload the board, then try again.` : problem.message;
      } finally { box.disabled = false; }
    } });
    return h('li', {}, h('label', { for: id, class: 'choice' }, box, ` ${item.name}`));
  };
  list.replaceChildren(...items.map(row));
  const soldOut = items.filter((item) => item.sold_out).length;
  return h('details', { class: 'sold-out' },
    h('summary', {}, soldOut ? `Sold out (${soldOut} now)` : 'Sold out'),
    items.length ? list : h('p', {}, 'The menu has no dishes yet.'), status);
}
