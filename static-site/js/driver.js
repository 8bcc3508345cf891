// A driver's deliveries on their phone: the ones waiting for a driver (take one), and their own:
// when each is due, what is in the bag (choices and notes), where to go (with a map link), whom
// to call, and the two steps a driver takes: out for delivery, then delivered. Followed live, as
// the board is.
import { api, endSession, session } from './api.js';
import { connectLive } from './live.js';
import { h, money, show, toast, useStaffStyles } from './ui.js';
import { byDue, everyPage, orderLines, promised, stateName } from './ticket.js';
import { guestMessage, loadStaffWords, t } from './words.js';
import { loginForm } from './staff.js';

useStaffStyles();

const STEP_LABELS = { out_for_delivery: 'staff.move.out_for_delivery', completed: 'staff.move.delivered' };

/** How often the list of deliveries waiting for a driver is asked again while the page is open. */
const WAITING_CHECK_MS = 30_000;

function delivery(order, timeZone, actions) {
  const address = [order.kind.address, order.kind.postcode].filter(Boolean).join('\n');
  const phone = order.customer?.phone;
  return h('article', { class: 'ticket', 'data-order': order.id },
    h('h3', {}, `#${order.number} `, h('small', {}, stateName(order.state))),
    order.promise ? h('p', { class: `promise${order.promise.scheduled ? ' scheduled' : ''}`, 'data-testid': 'promise' }, promised(order, timeZone)) : '',
    h('p', { class: 'address' }, address),
    address ? h('p', {}, h('a', { href: `https://www.openstreetmap.org/search?query=${encodeURIComponent(address.replace(/\n/g, ', '))}`, target: '_blank', rel: 'noopener' }, t('staff.open_map'))) : '',
    h('p', {}, order.customer?.name ?? t('staff.guest_erased'), phone ? [' · ', h('a', { href: `tel:${phone.replace(/[^+\d]/g, '')}` }, phone)] : ''),
    orderLines(order),
    h('p', {}, money(order.totals.total)),
    h('div', { class: 'ticket-actions' }, actions));
}

export async function driverPage(slug) {
  await loadStaffWords();
  const current = session(slug);
  if (!current) return loginForm(slug, t('staff.my_deliveries'));
  const { token } = current;
  const { restaurant } = await api('GET', `/v1/restaurants/${slug}`);
  const timeZone = restaurant.time_zone;
  const orders = new Map();
  let waiting = [];
  const list = h('div', { class: 'deliveries' });
  const waitingList = h('div', { class: 'deliveries', 'data-testid': 'waiting' });
  const indicator = h('p', { class: 'connection', 'data-testid': 'connection', role: 'status' }, t('staff.connecting'));
  async function move(order, to) {
    try { upsert(await api('POST', `/v1/restaurants/${slug}/orders/${order.id}/transitions`, { token, body: { to } })); } catch (problem) { toast(guestMessage(problem)); }
  }
  async function take(order) {
    try {
      upsert(await api('POST', `/v1/restaurants/${slug}/orders/${order.id}/take`, { token }));
      toast(t('staff.yours', { number: order.number }));
    } catch (problem) { toast(guestMessage(problem)); }
    await checkWaiting();
  }
  function render() {
    const open = [...orders.values()].filter((o) => !['completed', 'cancelled', 'rejected'].includes(o.state)).sort(byDue);
    list.replaceChildren(...(open.length ? open.map((o) => delivery(o, timeZone, o.next.filter((to) => STEP_LABELS[to]).map((to) =>
      h('button', { type: 'button', class: 'primary', onclick: () => move(o, to) }, t(STEP_LABELS[to])))))
      : [h('p', {}, t('staff.no_deliveries'))]));
    const others = waiting.filter((o) => !orders.has(o.id));
    waitingList.replaceChildren(...(others.length ? others.map((o) => delivery(o, timeZone,
      h('button', { type: 'button', class: 'primary', onclick: () => take(o) }, t('staff.take', { number: o.number }))))
      : [h('p', {}, t('staff.none_waiting'))]));
  }
  function upsert(order) {
    const known = orders.get(order.id);
    if (known && known.version >= order.version) return;
    orders.set(order.id, order);
    render();
  }
  async function checkWaiting() {
    try {
      waiting = await api('GET', `/v1/restaurants/${slug}/orders/waiting`, { token });
      render();
    } catch { /* offline for a moment: the next check tries again */ }
  }
  async function load() {
    (await everyPage(`/v1/restaurants/${slug}/orders`, 'orders', token)).forEach(upsert);
    await checkWaiting();
  }
  render();
  show(h('h1', {}, t('staff.my_deliveries')), indicator, h('h2', {}, t('staff.taken_by_you')), list, h('h2', {}, t('staff.waiting_for_driver')), waitingList);
  const here = location.pathname;
  let live = null;
  const timer = setInterval(() => (location.pathname === here && session(slug) ? checkWaiting() : clearInterval(timer)), WAITING_CHECK_MS);
  const leave = () => { live?.stop(); clearInterval(timer); };
  window.addEventListener('bistro:session-ended', leave, { once: true });
  live = await connectLive({ restaurant: slug, token }, {
    // A driver's socket carries only their deliveries; an update may lack lines: read it whole.
    onOrder: async (order, { truncated }) => {
      if (!truncated) return upsert(order);
      try { upsert(await api('GET', `/v1/restaurants/${slug}/orders/${order.id}`, { token })); } catch (problem) { toast(guestMessage(problem)); }
    },
    onStatus: (state) => {
      if (location.pathname !== here || !session(slug)) { leave(); return; }
      indicator.textContent = t({ live: 'staff.live', polling: 'staff.polling' }[state] ?? 'staff.reconnecting');
    },
    onResync: () => load(),
    onEnded: () => endSession(slug, 'ended'),
  });
  await load();
}
