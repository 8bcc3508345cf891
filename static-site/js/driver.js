// A driver's deliveries on their phone: where to go (with a map link), whom to call, and the two
// steps a driver takes: out for delivery, then delivered. Followed live, as the board is.
import { api, endSession, session } from './api.js';
import { connectLive } from './live.js';
import { h, money, show, toast, useStaffStyles } from './ui.js';
import { STATE_NAMES, everyPage } from './ticket.js';
import { loginForm } from './staff.js';

useStaffStyles();

const STEP_LABELS = { out_for_delivery: 'Out for delivery', completed: 'Delivered' };

function delivery(order, move) {
  const address = [order.kind.address, order.kind.postcode].filter(Boolean).join('\n');
  const phone = order.customer?.phone;
  return h('article', { class: 'ticket', 'data-order': order.id },
    h('h2', {}, `#${order.number} `, h('small', {}, STATE_NAMES[order.state])),
    h('p', { class: 'address' }, address),
    address ? h('p', {}, h('a', { href: `https://www.openstreetmap.org/search?query=${encodeURIComponent(address.replace(/\n/g, ', '))}`, target: '_blank', rel: 'noopener' }, 'Open in a map')) : '',
    h('p', {}, order.customer?.name ?? 'Guest details erased', phone ? [' · ', h('a', { href: `tel:${phone.replace(/[^+\d]/g, '')}` }, phone)] : ''),
    h('ul', {}, order.lines.map((line) => h('li', {}, `${line.quantity} × ${line.name}`))),
    h('p', {}, money(order.totals.total)),
    h('div', { class: 'ticket-actions' }, order.next.filter((to) => STEP_LABELS[to]).map((to) =>
      h('button', { type: 'button', class: 'primary', onclick: () => move(order, to) }, STEP_LABELS[to]))));
}

export async function driverPage(slug) {
  const current = session(slug);
  if (!current) return loginForm(slug, 'My deliveries');
  const { token } = current;
  const orders = new Map();
  const list = h('div', { class: 'deliveries' });
  const indicator = h('p', { class: 'connection', 'data-testid': 'connection', role: 'status' }, 'Connecting…');
  async function move(order, to) {
    try { upsert(await api('POST', `/v1/restaurants/${slug}/orders/${order.id}/transitions`, { token, body: { to } })); } catch (problem) { toast(problem.message); }
  }
  function render() {
    const open = [...orders.values()].filter((o) => !['completed', 'cancelled', 'rejected'].includes(o.state)).sort((a, b) => a.number - b.number);
    list.replaceChildren(...(open.length ? open.map((o) => delivery(o, move)) : [h('p', {}, 'No deliveries for you right now.')]));
  }
  function upsert(order) {
    const known = orders.get(order.id);
    if (known && known.version >= order.version) return;
    orders.set(order.id, order);
    render();
  }
  async function load() {
    (await everyPage(`/v1/restaurants/${slug}/orders`, 'orders', token)).forEach(upsert);
  }
  render();
  show(h('h1', {}, 'My deliveries'), indicator, list);
  const here = location.pathname;
  let live = null;
  const leave = () => live?.stop();
  window.addEventListener('bistro:session-ended', leave, { once: true });
  live = await connectLive({ restaurant: slug, token }, {
    // A driver's socket carries only their deliveries; an update may lack lines: read it whole.
    onOrder: async (order, { truncated }) => {
      if (!truncated) return upsert(order);
      try { upsert(await api('GET', `/v1/restaurants/${slug}/orders/${order.id}`, { token })); } catch (problem) { toast(problem.message); }
    },
    onStatus: (state) => {
      if (location.pathname !== here || !session(slug)) { leave(); return; }
      indicator.textContent = { live: 'Live', polling: 'Not live: checking every 15 s' }[state] ?? 'Reconnecting…';
    },
    onResync: () => load(),
    onEnded: () => endSession(slug, 'ended'),
  });
  await load();
}
