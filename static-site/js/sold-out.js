// Sold out from the board: the floor marks a dish sold out (or back) the moment the kitchen runs
// out, without the manage page. Guests' menus show it at their next check of the published menu.
import { api } from './api.js';
import { everyPage } from './ticket.js';
import { h } from './ui.js';
import { guestMessage, t } from './words.js';

/** A folding list of the menu's dishes, each with its sold-out switch. */
export async function soldOutPanel(slug, token) {
  const status = h('p', { role: 'status', class: 'row-status', 'data-testid': 'sold-out-status' });
  const list = h('ul', { class: 'sold-out-list' });
  let items = [];
  try {
    items = await everyPage(`/v1/restaurants/${slug}/menu`, 'items', token);
  } catch (problem) {
    status.textContent = guestMessage(problem);
  }
  const row = (item) => {
    const id = `sold-out-${item.id}`;
    const box = h('input', { type: 'checkbox', id, checked: item.sold_out, onchange: async () => {
      box.disabled = true;
      try {
        const saved = await api('PUT', `/v1/restaurants/${slug}/menu/items/${item.id}/sold-out`, { token, body: { sold_out: box.checked, version: item.version } });
        Object.assign(item, saved);
        status.textContent = t(saved.sold_out ? 'staff.is_sold_out' : 'staff.is_back', { name: saved.name });
      } catch (problem) {
        box.checked = item.sold_out;
        status.textContent = problem.code === 'stale_version' ? t('staff.changed_meanwhile', { name: item.name }) : guestMessage(problem);
      } finally { box.disabled = false; }
    } });
    return h('li', {}, h('label', { for: id, class: 'choice' }, box, ` ${item.name}`));
  };
  list.replaceChildren(...items.map(row));
  const soldOut = items.filter((item) => item.sold_out).length;
  return h('details', { class: 'sold-out' },
    h('summary', {}, soldOut ? t('staff.sold_out_count', { count: soldOut }) : t('staff.sold_out')),
    items.length ? list : h('p', {}, t('staff.no_dishes')), status);
}
