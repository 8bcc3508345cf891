// The owner takes the restaurant's data away: everything in Bistro's archive (it imports into
// any Bistro; no passwords or guests' links are in it), and the orders whose guests' details are
// still kept as a spreadsheet.
import { download } from './api.js';
import { h } from './ui.js';
import { guestMessage, t } from './words.js';

export function yourDataSection(slug, token) {
  const said = h('p', { role: 'status', 'data-testid': 'your-data-status' });
  const take = (path, name, done) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    said.classList.remove('error');
    said.textContent = t('mgr.data.preparing');
    try {
      await download(path, token, name);
      said.textContent = t(done);
    } catch (problem) {
      said.textContent = guestMessage(problem);
      said.classList.add('error');
    } finally { button.disabled = false; }
  };
  return h('section', { 'aria-labelledby': 'your-data-title' },
    h('h2', { id: 'your-data-title' }, t('mgr.data.title')),
    h('p', {}, t('mgr.data.explain')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: take(`/v1/restaurants/${slug}/export`, `${slug}.tar.gz`, 'mgr.data.archive_done') }, t('mgr.data.archive')),
      h('button', { type: 'button', onclick: take(`/v1/restaurants/${slug}/export/orders.csv`, `${slug}-orders.csv`, 'mgr.data.orders_done') }, t('mgr.data.orders'))),
    said);
}
