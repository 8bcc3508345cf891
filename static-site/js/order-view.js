// The guest's live order page: its state as it moves, the lines, where and when it comes, the
// receipt, and cancelling while the kitchen has not accepted it.
import { api, forgetOrder, payingKey, rememberOrder } from './api.js';
import { h, localTime, money, show } from './ui.js';
import { guestMessage, t, useRestaurantLanguage } from './words.js';

export async function orderPage(slug, id, token) {
  // Only the order page follows an order live and says when it comes: the menu never loads these.
  const [{ restaurant }, { connectLive }, { promiseText }] =
    await Promise.all([api('GET', `/v1/restaurants/${slug}`), import('./live.js'), import('./when.js')]);
  await useRestaurantLanguage(restaurant.language);
  const read = () => api('GET', `/v1/restaurants/${slug}/orders/${id}?token=${encodeURIComponent(token)}`);
  // Paid online and back from Stripe's page: there is no order until Stripe confirms the payment,
  // and the checkout says how that stands.
  const paying = localStorage.getItem(payingKey(id)) !== null;
  const order0 = paying ? await import('./paying.js').then((m) => m.awaitPayment(slug, id, token, read)) : await read();
  if (!order0) return;
  if (paying) {
    // From now on the order is followed as any other: its secret in its address and among the
    // guest's open orders, no longer kept for the payment.
    localStorage.removeItem(payingKey(id));
    rememberOrder(slug, order0, token);
    history.replaceState({}, '', `${location.pathname}?token=${encodeURIComponent(token)}`);
  }
  let order = order0;
  const status = h('p', { class: 'connection', role: 'status' }, t('order.connecting'));
  const body = h('div');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const title = h('h1', {}, t('order.title', { number: order.number }));
  function where() {
    if (order.kind.type === 'dine_in') return t('order.at_table', { table: order.kind.table });
    if (order.kind.type === 'delivery') return t('order.delivery_to', { address: [order.kind.address, order.kind.postcode].filter(Boolean).join(', ') });
    return t('order.pickup');
  }
  // What a till slip says (printed on its own: the page's print style shows only this).
  function receipt() {
    const { totals } = order;
    const rate = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: 'percent', maximumFractionDigits: 2 }).format(totals.tax_rate / 10_000);
    const row = (label, amount, strong) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, strong ? h('strong', {}, money(amount)) : money(amount)));
    return h('section', { class: 'receipt', 'aria-labelledby': 'receipt-title' },
      h('h2', { id: 'receipt-title' }, t('receipt.title')),
      h('p', {}, h('strong', {}, restaurant.name)),
      restaurant.address ? h('p', { class: 'address' }, restaurant.address) : '',
      h('p', {}, t('receipt.number', { number: order.number }), ' · ', localTime(order.placed_at, restaurant.time_zone), ' · ', where()),
      order.promise ? h('p', {}, promiseText(order, restaurant.time_zone)) : '',
      h('table', {},
        h('tbody', {}, order.lines.map((line) => row(`${line.quantity} × ${line.name}${line.choices.length ? ` (${line.choices.map((c) => c.name).join(', ')})` : ''}`, line.line_total)),
          order.delivery_fee ? row(t('order.delivery_fee'), order.delivery_fee) : ''),
        h('tfoot', {},
          row(t('receipt.subtotal'), totals.subtotal),
          row(totals.tax_mode === 'exclusive' ? t('receipt.tax_added', { rate }) : t('receipt.tax_included', { rate }), totals.tax),
          row(t('cart.total'), totals.total, true),
          order.paid?.tip ? row(t('receipt.tip'), order.paid.tip) : '',
          order.paid && order.paid.state !== 'released' ? row(paidWith(order.paid.method), order.paid.amount) : '',
          (order.paid?.refunds ?? []).map((refund) => row(t('receipt.refunded', { reason: refund.reason }), { ...refund.amount, minor: -refund.amount.minor })))));
  }
  function render() {
    if (['completed', 'cancelled', 'rejected'].includes(order.state)) forgetOrder(slug, id);
    // The path this kind of order takes, as the server's state machine walks it.
    const steps = order.steps ?? [];
    const reached = steps.indexOf(order.state);
    body.replaceChildren(
      h('p', { class: 'order-state', 'data-testid': 'order-state', 'aria-live': 'polite' }, t(`state.${order.state}`)),
      order.state === 'rejected' && order.reason ? h('p', { class: 'reason', 'data-testid': 'reason' }, t('order.rejected_because', { reason: order.reason })) : '',
      reached >= 0 ? h('ol', { class: 'steps' }, steps.map((step, index) => h('li', { class: index <= reached ? 'done' : '' }, t(`state.${step}`)))) : '',
      h('p', {}, where()),
      order.promise && !['completed', 'cancelled', 'rejected'].includes(order.state)
        ? h('p', { class: 'promise', 'data-testid': 'promise' }, promiseText(order, restaurant.time_zone)) : '',
      h('ul', { class: 'lines' }, order.lines.map((line) => h('li', {},
        h('div', { class: 'line-head' },
          h('span', {}, `${line.quantity} × ${line.name}`, line.choices.length ? h('small', {}, ` (${line.choices.map((c) => c.name).join(', ')})`) : ''),
          h('span', { class: 'price' }, money(line.line_total))),
        line.note ? h('p', { class: 'note' }, `${t('cart.note')}: ${line.note}`) : '')),
      order.delivery_fee ? h('li', { 'data-testid': 'delivery-fee' }, h('div', { class: 'line-head' }, h('span', {}, t('order.delivery_fee')), h('span', { class: 'price' }, money(order.delivery_fee)))) : ''),
      h('p', { class: 'total' }, `${t('cart.total')} `, h('strong', {}, money(order.totals.total))),
      order.paid ? h('p', { class: 'paid', 'data-testid': 'paid' }, t(`paid.${order.paid.state}`, { amount: money(order.paid.amount) })) : '',
      ...(order.paid?.refunds ?? []).map((refund) => h('p', { class: 'paid', 'data-testid': 'refund' },
        t('paid.refunded', { amount: money(refund.amount), reason: refund.reason, time: localTime(refund.at, restaurant.time_zone) }))),
      h('p', { class: 'note' }, t('order.placed_at', { time: localTime(order.placed_at, restaurant.time_zone) })),
      receipt(),
      h('button', { type: 'button', class: 'no-print', onclick: () => window.print() }, t('order.print')),
      error,
      order.next.includes('cancelled') ? h('button', { type: 'button', onclick: async () => {
        try {
          order = await api('POST', `/v1/restaurants/${slug}/orders/${id}/cancel?token=${encodeURIComponent(token)}`);
          render();
        } catch (problem) {
          error.textContent = guestMessage(problem);
          error.hidden = false;
        }
      } }, t('order.cancel')) : '');
  }
  render();
  show(title, status, body);
  const here = location.pathname;
  let live = null;
  live = await connectLive({ restaurant: slug, order: id, order_token: token }, {
    // A live message is the order as this page reads it, `next` included.
    onOrder: async (latest, { truncated }) => {
      if (latest.version <= order.version) return;
      if (truncated) {
        try {
          latest = await read();
        } catch {
          latest = { ...order, state: latest.state, version: latest.version, next: latest.next };
        }
      }
      order = latest;
      render();
    },
    onStatus: (state) => {
      if (location.pathname !== here) { live?.stop(); return; }
      status.textContent = t({ live: 'order.live', connecting: 'order.connecting', polling: 'order.polling' }[state] ?? 'order.reconnecting');
    },
    // An update did not reach this page: read the order as it is now.
    onResync: async () => {
      try {
        const latest = await read();
        if (latest.version > order.version) { order = latest; render(); }
      } catch (problem) {
        error.textContent = guestMessage(problem);
        error.hidden = false;
      }
    },
  });
}

const BRANDS = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', jcb: 'JCB', diners: 'Diners Club', unionpay: 'UnionPay', cartes_bancaires: 'Cartes Bancaires' };
const METHODS = ['card', 'sepa_debit', 'paypal', 'link', 'klarna', 'giropay', 'ideal', 'bancontact', 'eps', 'sofort'];

/** "Paid online by Visa ···· 4242": how the guest paid, as Stripe said, in the guest's words. */
function paidWith(method) {
  if (!method) return t('receipt.paid_online');
  if (method.kind === 'card') {
    const brand = BRANDS[method.brand] ?? t('receipt.method.card');
    return t('receipt.paid_with', { method: method.last4 ? `${brand} ···· ${method.last4}` : brand });
  }
  return t('receipt.paid_with', { method: t(METHODS.includes(method.kind) ? `receipt.method.${method.kind}` : 'receipt.method.other') });
}
