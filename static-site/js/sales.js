// What the restaurant sold, for its managers: a business day or a range, from the stored orders
// (the API's report), with a CSV of every order for a spreadsheet or the accountant.
import { api, download } from './api.js';
import { h, money } from './ui.js';
import { guestMessage, t } from './words.js';

const KINDS = { dine_in: 'mgr.sales.at_tables', pickup: 'staff.kind.pickup', delivery: 'staff.kind.delivery' };

function table(caption, head, rows, testid) {
  return h('table', { class: 'history', 'data-testid': testid },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((word) => h('th', { scope: 'col' }, word)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))));
}

/** The money by way of paying, a row per figure so it fits a phone: sales and tips of the days'
 * orders, refunds made on these days, the platform's fees, and what the restaurant keeps. */
function books(kept) {
  if (!kept || (kept.online.orders === 0 && kept.online.refund_count === 0)) return '';
  const figures = [['orders', (w) => String(w.orders)], ['sales', (w) => money(w.sales)], ['tips', (w) => money(w.tips)],
    ['refunds', (w) => (w.refund_count ? `${money(w.refunds)} (${w.refund_count})` : money(w.refunds))], ['fees', (w) => money(w.fees)], ['net', (w) => money(w.net)]];
  return table(t('mgr.sales.books'), [t('mgr.sales.books.money'), t('mgr.sales.paid_online'), t('mgr.sales.paid_there')],
    figures.map(([name, shown]) => [t(`mgr.sales.books.${name}`), shown(kept.online), shown(kept.at_restaurant)]), 'sales-books');
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
          h('dt', {}, t('staff.orders')), h('dd', {}, String(sales.orders)),
          h('dt', {}, t('mgr.sales.revenue')), h('dd', {}, money(sales.revenue)),
          h('dt', {}, t('mgr.sales.average')), h('dd', {}, money(sales.average)),
          sales.tax.map((line) => [h('dt', {}, t('mgr.sales.tax_at', { rate: (line.rate / 100).toLocaleString(document.documentElement.lang || undefined) })), h('dd', {}, money(line.amount))]),
          h('dt', {}, t('mgr.sales.cancelled')), h('dd', {}, String(sales.cancelled)),
          h('dt', {}, t('state.rejected')), h('dd', {}, String(sales.rejected)),
          h('dt', {}, t('mgr.sales.unaccepted')), h('dd', {}, sales.unaccepted ? `${sales.unaccepted} (${money(sales.unaccepted_total)})` : '0')),
        books(sales.books),
        sales.by_kind.length ? table(t('mgr.sales.by_kind'), [t('mgr.sales.kind'), t('staff.orders'), t('mgr.sales.revenue')], sales.by_kind.map((k) => [t(KINDS[k.kind]), String(k.orders), money(k.revenue)]), 'sales-kinds') : '',
        sales.by_item.length ? table(t('mgr.sales.by_dish'), [t('mgr.sales.dish'), t('mgr.sales.sold'), t('mgr.sales.revenue')], sales.by_item.map((i) => [i.name, String(i.quantity), money(i.revenue)]), 'sales-items') : '',
        sales.by_hour.length ? table(t('mgr.sales.by_hour'), [t('mgr.sales.hour'), t('staff.orders'), t('mgr.sales.revenue')], sales.by_hour.map((x) => [x.local.slice(0, 5), String(x.orders), money(x.revenue)]), 'sales-hours') : '');
    } catch (problem) {
      said.textContent = guestMessage(problem);
      said.classList.add('error');
    }
  }
  async function csv() {
    said.classList.remove('error');
    try {
      await download(`/v1/restaurants/${slug}/orders/report?${query()}&format=csv`, token, `${slug}-orders-${from.value}-${to.value || from.value}.csv`);
      said.textContent = t('mgr.sales.csv_done');
    } catch (problem) {
      said.textContent = problem.status === 0 ? guestMessage(problem) : t('mgr.sales.csv_failed');
      said.classList.add('error');
    }
  }
  from.addEventListener('change', load);
  to.addEventListener('change', load);
  load();
  return h('section', { 'aria-labelledby': 'sales-title' }, h('h2', { id: 'sales-title' }, t('mgr.section.reports')),
    h('div', { class: 'filters' }, h('label', { for: 'sales-from' }, t('mgr.sales.from')), from, h('label', { for: 'sales-to' }, t('mgr.sales.to')), to,
      h('button', { type: 'button', onclick: csv }, t('mgr.sales.csv'))),
    said, out);
}
