// The staff board: orders in columns by state, filled live, one click to move an order on.
import { api, endSession, saveSession, session, takeEndedReason } from './api.js';
import { connectLive } from './live.js';
import { paceControls } from './pace.js';
import { soldOutPanel } from './sold-out.js';
import { h, money, show, toast, useStaffStyles } from './ui.js';
import { COLUMNS, KIND_LABEL, STATE_NAMES, everyPage, age, announcements, beep, byDue, clock, guestDetails, orderLines, promised, urgency } from './ticket.js';

useStaffStyles();

// What each move is called on its button. Which moves an order offers is the server's to say
// (`next` on every order, over HTTP and live alike): the board keeps no state machine.
const MOVE_LABELS = { accepted: 'Accept', preparing: 'Start', ready: 'Ready', out_for_delivery: 'Out for delivery', completed: 'Complete' };
const moveLabel = (order, to) => (to === 'completed' && order.state === 'out_for_delivery' ? 'Delivered' : MOVE_LABELS[to]);

/** What the login form says about the login before, in the words of the person at the screen. */
const ENDED = {
  expired: 'Your login has expired. Log in again to carry on where you were.',
  ended: 'Your login has ended: your account was changed or removed. Log in again.',
  logged_out: 'You are logged out.',
};

export function loginForm(slug, title) {
  const notice = ENDED[takeEndedReason(slug)] ?? '';
  const form = h('form', { class: 'login', 'aria-label': 'Log in' },
    h('label', {}, 'E-mail ', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'username' })),
    h('label', {}, 'Password ', h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' })),
    h('button', { type: 'submit', class: 'primary' }, 'Log in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const result = await api('POST', `/v1/restaurants/${slug}/login`, { body: { email: data.get('email'), password: data.get('password') } });
      saveSession(slug, result);
      window.dispatchEvent(new PopStateEvent('popstate'));
    } catch (problem) { toast(problem.message); }
  });
  show(h('h1', {}, title), notice ? h('p', { role: 'alert', 'data-testid': 'login-notice' }, notice) : '', form);
}

export async function boardPage(slug) {
  const current = session(slug);
  if (!current) return loginForm(slug, 'Staff board');
  if (current.account.role === 'driver') {
    // A driver's board is their deliveries.
    history.replaceState({}, '', `/r/${slug}/driver`);
    window.dispatchEvent(new PopStateEvent('popstate'));
    return;
  }
  const token = current.token;
  // Anyone on the floor gives a delivery to a driver: the cook at the pass sees who is back.
  const [{ restaurant }, drivers] = await Promise.all([
    api('GET', `/v1/restaurants/${slug}`),
    api('GET', `/v1/restaurants/${slug}/drivers`, { token }).catch(() => []),
  ]);
  const timeZone = restaurant.time_zone;
  const orders = new Map();
  const indicator = h('p', { class: 'connection', 'data-testid': 'connection', role: 'status' }, 'Connecting…');
  const alerts = h('div', { class: 'alerts', role: 'alert' });
  const board = h('div', { class: 'board' });
  const fresh = new Set();
  const announced = announcements(slug);
  const printKey = `bistro.print.${slug}`;
  const autoPrint = h('input', { type: 'checkbox', id: 'auto-print', checked: localStorage.getItem(printKey) === 'on',
    onchange: () => localStorage.setItem(printKey, autoPrint.checked ? 'on' : 'off') });
  const soundKey = `bistro.sound.${slug}`;
  const sound = h('input', { type: 'checkbox', id: 'sound', checked: localStorage.getItem(soundKey) !== 'off',
    onchange: () => localStorage.setItem(soundKey, sound.checked ? 'on' : 'off') });

  async function move(order, to) {
    try {
      const moved = await api('POST', `/v1/restaurants/${slug}/orders/${order.id}/transitions`, { token, body: { to } });
      upsert(moved);
    } catch (problem) { toast(problem.message); }
  }

  /** Reject asks first, with a reason the guest is shown: the ticket shows the question in place of its buttons. */
  function rejectAsk(order, buttons) {
    const id = `reason-${order.id}`;
    const reason = h('input', { id, maxlength: 280, placeholder: 'e.g. We are out of dough tonight' });
    buttons.replaceChildren(
      h('p', { class: 'confirm' }, `Reject order #${order.number}? The guest is told at once.`),
      h('label', { for: id }, 'Reason for the guest (optional)'), reason,
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        try {
          const text = reason.value.trim();
          upsert(await api('POST', `/v1/restaurants/${slug}/orders/${order.id}/transitions`, { token, body: { to: 'rejected', ...(text ? { reason: text } : {}) } }));
          toast(`Order #${order.number} rejected`);
        } catch (problem) { toast(problem.message); }
      } }, 'Yes, reject'),
      h('button', { type: 'button', onclick: () => render() }, 'Keep it'));
    reason.focus();
  }

  /** Who takes a delivery: the floor chooses the driver until it is out; then the ticket names them. */
  function driverPart(order) {
    const open = COLUMNS.includes(order.state) && order.state !== 'out_for_delivery';
    if (!open) return order.driver ? h('p', { class: 'driver' }, `Driver: ${drivers.find((d) => d.id === order.driver)?.name ?? 'no longer on the team'}`) : '';
    const id = `driver-${order.id}`;
    const select = h('select', { id, onchange: async () => {
      try {
        upsert(await api('PUT', `/v1/restaurants/${slug}/orders/${order.id}/driver`, { token, body: { driver: select.value } }));
        toast(`Order #${order.number} goes with ${drivers.find((d) => d.id === select.value)?.name}`);
      } catch (problem) { toast(problem.message); render(); }
    } },
    h('option', { value: '', disabled: true, selected: !order.driver }, drivers.length ? 'Choose a driver' : 'No drivers yet'),
    drivers.map((d) => h('option', { value: d.id, selected: d.id === order.driver }, d.name)));
    return h('p', { class: 'driver' }, h('label', { for: id }, 'Driver '), select);
  }

  /** Prints one ticket alone, laid out for an 80 mm kitchen printer (style.css, `@media print`). */
  function printTicket(order) {
    const slip = document.getElementById('print-slip') ?? document.body.appendChild(h('div', { id: 'print-slip' }));
    const copy = ticket(order, Date.now());
    copy.removeAttribute('data-order');
    copy.classList.remove('new', 'late', 'due-soon');
    slip.replaceChildren(copy);
    document.body.classList.add('printing-slip');
    window.addEventListener('afterprint', () => document.body.classList.remove('printing-slip'), { once: true });
    window.print();
  }

  function ticket(order, now) {
    const forward = order.next.filter((to) => to !== 'rejected');
    const buttons = h('div', { class: 'ticket-actions' },
      forward.map((to) => h('button', { type: 'button', onclick: () => move(order, to) }, moveLabel(order, to))),
      order.next.includes('rejected') ? h('button', { type: 'button', class: 'link', onclick: () => rejectAsk(order, buttons) }, 'Reject') : '',
      h('button', { type: 'button', class: 'link', onclick: () => printTicket(order) }, `Print #${order.number}`));
    return h('article', { class: `ticket${fresh.has(order.id) ? ' new' : ''}${urgency(order, now, restaurant)}`, 'data-order': order.id },
      h('h3', {}, `#${order.number} `, h('small', {}, KIND_LABEL(order))),
      h('p', { class: 'placed', 'data-testid': 'age' }, `Placed ${clock(order.placed_at, timeZone)} · ${age(order, now)}`),
      order.promise ? h('p', { class: `promise${order.promise.scheduled ? ' scheduled' : ''}`, 'data-testid': 'promise' }, promised(order, timeZone)) : '',
      orderLines(order),
      guestDetails(order),
      h('p', {}, money(order.totals.total), order.delivery_fee ? ` (delivery ${money(order.delivery_fee)})` : ''),
      order.kind.type === 'delivery' ? driverPart(order) : '',
      COLUMNS.includes(order.state) ? buttons : h('p', { class: 'state' }, STATE_NAMES[order.state]));
  }

  function render() {
    const now = Date.now();
    const later = (o) => waitsForLater(o, now);
    const columns = [['later', 'Later (ordered ahead)', later],
      ...COLUMNS.map((state) => [state, STATE_NAMES[state], (o) => o.state === state && !later(o)]),
      ['closed', 'Cancelled and rejected', (o) => o.state === 'cancelled' || o.state === 'rejected']];
    board.replaceChildren(...columns.map(([id, name, holds]) => {
      const held = [...orders.values()].filter(holds).sort(byDue);
      return h('section', { class: 'column', 'aria-labelledby': `col-${id}`, 'data-state': id },
        h('h2', { id: `col-${id}` }, `${name} `, h('span', { class: 'count' }, `(${held.length})`)),
        held.map((order) => ticket(order, now)));
    }));
  }

  function upsert(order) {
    const known = orders.get(order.id);
    if (known && known.version >= order.version) return;
    if (order.state === 'placed' && announced.first(order.id)) {
      fresh.add(order.id);
      if (sound.checked) beep();
      if (autoPrint.checked) printTicket(order);
      setTimeout(() => { fresh.delete(order.id); render(); }, 10000);
    }
    if (known && known.state !== 'cancelled' && order.state === 'cancelled') {
      alerts.append(h('p', { class: 'alert', 'data-testid': 'cancelled-alert' }, `Order #${order.number} was cancelled by the guest. `,
        h('button', { type: 'button', class: 'link', onclick: (event) => event.target.parentElement.remove() }, 'Dismiss')));
      if (sound.checked) beep();
    }
    orders.set(order.id, order);
    render();
  }

  // A live message cut to fit a frame lacks lines: read that order whole.
  async function arrived(order, { truncated }) {
    if (!truncated) return upsert(order);
    try { upsert(await api('GET', `/v1/restaurants/${slug}/orders/${order.id}`, { token })); } catch (problem) { toast(problem.message); }
  }

  const [bookings, soldOut] = await Promise.all([reservations(slug, token), soldOutPanel(slug, token)]);
  // The login ended while this page was reading: the login form is drawn instead.
  if (!session(slug)) return;
  // Offline, the board may be out of date and a click may not reach the server: every action is
  // off, and said loudly, until the board is live (or checking over HTTP) again.
  const offlineBanner = h('p', { class: 'offline-banner', role: 'alert', 'data-testid': 'offline', hidden: true },
    'Offline: this board may be out of date, and its buttons are off until it is connected again.');
  const actions = h('fieldset', { class: 'board-actions' }, h('legend', { class: 'visually-hidden' }, 'Orders and the kitchen\'s pace'),
    paceControls(slug, token, restaurant), soldOut, board);
  let lastStatus = 'connecting';
  const setOffline = () => {
    const offline = lastStatus === 'reconnecting' || !navigator.onLine;
    offlineBanner.hidden = !offline;
    indicator.textContent = offline ? (lastStatus === 'reconnecting' ? 'Offline: reconnecting…' : 'Offline')
      : { live: 'Live', polling: 'Not live: checking every 15 s' }[lastStatus] ?? 'Connecting…';
    indicator.className = `connection ${offline ? 'reconnecting' : lastStatus}`;
    actions.disabled = offline;
    document.body.classList.toggle('offline', offline);
  };
  window.addEventListener('offline', setOffline);
  window.addEventListener('online', setOffline);
  show(h('h1', {}, 'Orders'), indicator, offlineBanner,
    h('p', { class: 'board-options' }, h('label', { for: 'sound', class: 'choice' }, sound, ' Sound for new orders and cancellations'),
      h('label', { for: 'auto-print', class: 'choice' }, autoPrint, ' Print new tickets as they arrive')),
    alerts, actions, h('h2', {}, "Today's reservations"), bookings);
  // Ages and colours move on while nothing else happens.
  const here = location.pathname;
  const ticking = setInterval(() => (location.pathname === here && session(slug) ? render() : clearInterval(ticking)), 30_000);
  // Live first, then today's orders over HTTP: nothing falls between the two.
  let live = null;
  const leave = () => { live?.stop(); clearInterval(ticking); window.removeEventListener('offline', setOffline); window.removeEventListener('online', setOffline); };
  window.addEventListener('bistro:session-ended', leave, { once: true });
  live = await connectLive({ restaurant: slug, token }, {
    onOrder: arrived,
    onStatus: (state) => {
      if (location.pathname !== here || !session(slug)) { leave(); return; }
      lastStatus = state;
      setOffline();
    },
    onResync: () => load(),
    onEnded: () => endSession(slug, 'ended'),
  });
  async function load() {
    (await everyPage(`/v1/restaurants/${slug}/orders`, 'orders', token)).forEach(upsert);
  }
  await load();
}

/**
 * Whether an order for a later slot still waits in its own lane: until its preparation should
 * start (the promise's `start_by`, as the server agreed it), while nobody has started it.
 */
function waitsForLater(order, now) {
  if (!order.promise?.scheduled || !['placed', 'accepted'].includes(order.state)) return false;
  const start = order.promise.start_by ?? order.promise.at;
  return new Date(start).getTime() > now;
}

async function reservations(slug, token) {
  try {
    const page = await api('GET', `/v1/restaurants/${slug}/reservations`, { token });
    if (page.reservations.length === 0) return h('p', {}, 'No bookings today.');
    return h('ul', {}, page.reservations.map((r) => h('li', {}, `${new Date(r.starts_at).toLocaleTimeString([], { timeStyle: 'short' })}: ${r.party} × ${r.contact ? r.contact.name : 'guest details erased'} (${r.status})`)));
  } catch {
    return h('p', {}, 'Bookings are shown to floor staff.');
  }
}
