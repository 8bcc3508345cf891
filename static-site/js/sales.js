// What the restaurant sold, for its managers: a business day or a range, from the stored orders
// (the API's report), with a CSV of every order for a spreadsheet or the accountant.
import { api, config } from './api.js';
import { h, money } from './ui.js';

const KINDS = { dine_in: 'At tables', pickup: 'Pickup', delivery: 'Delivery' };

function table(caption, head, rows, testid) {
  return h('table', { class: 'history', 'data-testid': testid },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))));
}

export async function salesSection(slug, token) {
  const { today } = await api('GET', `/v1/restaurants/${slug}`);
  const from = h('input', { type: 'date', id: 'sales-from', value: today });
  const to = h('input', { type: 'date', id: 'sales-to', value: today });
  const out = h('div', { 'aria-live': 'polite' });
  const said = h('p', { role: 'status' });
  const query = () => `from=${from.value}&to=${to.value || from.value}`;
  async function load() {
    said.textContent = '';
    try {
      const { sales } = await api('GET', `/v1/restaurants/${slug}/orders/report?${query()}`, { token });
      out.replaceChildren(
        h('dl', { class: 'figures', 'data-testid': 'sales-figures' },
          h('dt', {}, 'Orders'), h('dd', {}, String(sales.orders)),
          h('dt', {}, 'Revenue'), h('dd', {}, money(sales.revenue)),
          h('dt', {}, 'Average order'), h('dd', {}, money(sales.average)),
          sales.tax.map((line) => [h('dt', {}, `Tax at ${line.rate / 100} %`), h('dd', {}, money(line.amount))]),
          h('dt', {}, 'Cancelled by guests'), h('dd', {}, String(sales.cancelled)),
          h('dt', {}, 'Rejected'), h('dd', {}, String(sales.rejected)),
          h('dt', {}, 'Never accepted (not in the revenue)'), h('dd', {}, sales.unaccepted ? `${sales.unaccepted} (${money(sales.unaccepted_total)})` : '0')),
        sales.by_kind.length ? table('By kind of order', ['Kind', 'Orders', 'Revenue'], sales.by_kind.map((k) => [KINDS[k.kind] ?? k.kind, String(k.orders), money(k.revenue)]), 'sales-kinds') : '',
        sales.by_item.length ? table('By dish', ['Dish', 'Sold', 'Revenue'], sales.by_item.map((i) => [i.name, String(i.quantity), money(i.revenue)]), 'sales-items') : '',
        sales.by_hour.length ? table('By hour', ['Hour', 'Orders', 'Revenue'], sales.by_hour.map((x) => [x.local.slice(0, 5), String(x.orders), money(x.revenue)]), 'sales-hours') : '');
    } catch (problem) {
      said.textContent = problem.message;
      said.classList.add('error');
    }
  }
  async function download() {
    try {
      const { apiUrl } = await config();
      const response = await fetch(`${apiUrl}/v1/restaurants/${slug}/orders/report?${query()}&format=csv`, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error('The CSV could not be made; try again.');
      const link = h('a', { href: URL.createObjectURL(await response.blob()), download: `${slug}-orders-${from.value}-${to.value || from.value}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      said.textContent = 'The CSV is downloaded.';
    } catch (error) { said.textContent = error.message; }
  }
  from.addEventListener('change', load);
  to.addEventListener('change', load);
  load();
  return h('section', { 'aria-labelledby': 'sales-title' }, h('h2', { id: 'sales-title' }, 'Sales'),
    h('div', { class: 'filters' }, h('label', { for: 'sales-from' }, 'From'), from, h('label', { for: 'sales-to' }, 'to'), to,
      h('button', { type: 'button', onclick: download }, 'Download CSV (one row per order)')),
    said, out);
}
