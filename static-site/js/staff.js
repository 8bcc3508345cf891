// The staff board: orders in columns by state, filled live, one click to move an order on.
import { api, endSession, saveSession, session, takeEndedReason } from './api.js';
import { connectLive } from './live.js';
import { paceControls } from './pace.js';
import { soldOutPanel } from './sold-out.js';
import { h, money, show, toast, useStaffStyles } from './ui.js';
import { guestMessage, loadStaffWords, t } from './words.js';
import { COLUMNS, KIND_LABEL, everyPage, stateName, age, announcements, beep, byDue, clock, guestDetails, orderLines, promised, urgency } from './ticket.js';

useStaffStyles();

// What each move is called on its button. Which moves an order offers is the server's to say
// (`next` on every order, over HTTP and live alike): the board keeps no state machine.
const moveLabel = (order, to) => (to === 'completed' && order.state === 'out_for_delivery' ? t('staff.move.delivered') : t(`staff.move.${to}`));

/** What the login form says about the login before, in the words of the person at the screen. */
const ENDED = { expired: 'staff.login_expired', ended: 'staff.login_ended', logged_out: 'staff.logged_out' };

export function loginForm(slug, title) {
  const ended = ENDED[takeEndedReason(slug)];
  const notice = ended ? t(ended) : '';
  const form = h('form', { class: 'login', 'aria-label': t('staff.login') },
    h('label', {}, `${t('staff.email')} `, h('input', { name: 'email', type: 'email', required: true, autocomplete: 'username' })),
    h('label', {}, `${t('staff.password')} `, h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' })),
    h('button', { type: 'submit', class: 'primary' }, t('staff.login')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const result = await api('POST', `/v1/restaurants/${slug}/login`, { body: { email: data.get('email'), password: data.get('password') } });
      saveSession(slug, result);
      window.dispatchEvent(new PopStateEvent('popstate'));
    } catch (problem) { toast(guestMessage(problem)); }
  });
  show(h('h1', {}, title), notice ? h('p', { role: 'alert', 'data-testid': 'login-notice' }, notice) : '', form);
}

export async function boardPage(slug) {
  await loadStaffWords();
  const current = session(slug);
  if (!current) return loginForm(slug, t('staff.board_title'));
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
  const indicator = h('p', { class: 'connection', 'data-testid': 'connection', role: 'status' }, t('staff.connecting'));
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
    } catch (problem) { toast(guestMessage(problem)); }
  }

  /** Reject asks first, with a reason the guest is shown: the ticket shows the question in place of its buttons. */
  function rejectAsk(order, buttons) {
    const id = `reason-${order.id}`;
    const reason = h('input', { id, maxlength: 280, placeholder: t('staff.reject_example') });
    buttons.replaceChildren(
      h('p', { class: 'confirm' }, t('staff.reject_ask', { number: order.number })),
      h('label', { for: id }, t('staff.reject_reason')), reason,
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        try {
          const text = reason.value.trim();
          upsert(await api('POST', `/v1/restaurants/${slug}/orders/${order.id}/transitions`, { token, body: { to: 'rejected', ...(text ? { reason: text } : {}) } }));
          toast(t('staff.rejected', { number: order.number }));
        } catch (problem) { toast(guestMessage(problem)); }
      } }, t('staff.reject_yes')),
      h('button', { type: 'button', onclick: () => render() }, t('staff.keep_it')));
    reason.focus();
  }

  /** Who takes a delivery: the floor chooses the driver until it is out; then the ticket names them. */
  function driverPart(order) {
    const open = COLUMNS.includes(order.state) && order.state !== 'out_for_delivery';
    if (!open) return order.driver ? h('p', { class: 'driver' }, t('staff.driver_named', { name: drivers.find((d) => d.id === order.driver)?.name ?? t('staff.driver_gone') })) : '';
    const id = `driver-${order.id}`;
    const select = h('select', { id, onchange: async () => {
      try {
        upsert(await api('PUT', `/v1/restaurants/${slug}/orders/${order.id}/driver`, { token, body: { driver: select.value } }));
        toast(t('staff.goes_with', { number: order.number, name: drivers.find((d) => d.id === select.value)?.name }));
      } catch (problem) { toast(guestMessage(problem)); render(); }
    } },
    h('option', { value: '', disabled: true, selected: !order.driver }, drivers.length ? t('staff.choose_driver') : t('staff.no_drivers')),
    drivers.map((d) => h('option', { value: d.id, selected: d.id === order.driver }, d.name)));
    return h('p', { class: 'driver' }, h('label', { for: id }, `${t('staff.driver')} `), select);
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
      order.next.includes('rejected') ? h('button', { type: 'button', class: 'link', onclick: () => rejectAsk(order, buttons) }, t('staff.reject')) : '',
      h('button', { type: 'button', class: 'link', onclick: () => printTicket(order) }, t('staff.print', { number: order.number })));
    return h('article', { class: `ticket${fresh.has(order.id) ? ' new' : ''}${urgency(order, now, restaurant)}`, 'data-order': order.id },
      h('h3', {}, `#${order.number} `, h('small', {}, KIND_LABEL(order))),
      h('p', { class: 'placed', 'data-testid': 'age' }, t('staff.placed_at', { time: clock(order.placed_at, timeZone), age: age(order, now) })),
      order.promise ? h('p', { class: `promise${order.promise.scheduled ? ' scheduled' : ''}`, 'data-testid': 'promise' }, promised(order, timeZone)) : '',
      orderLines(order),
      guestDetails(order),
      h('p', {}, money(order.totals.total), order.delivery_fee ? ` ${t('staff.delivery_fee', { fee: money(order.delivery_fee) })}` : '',
        order.paid ? h('strong', { class: 'paid', 'data-testid': 'paid' }, ` · ${t(`staff.paid.${order.paid.state}`)}`) : ''),
      order.kind.type === 'delivery' ? driverPart(order) : '',
      COLUMNS.includes(order.state) ? buttons : h('p', { class: 'state' }, stateName(order.state)));
  }

  function render() {
    const now = Date.now();
    const later = (o) => waitsForLater(o, now);
    const columns = [['later', t('staff.lane.later'), later],
      ...COLUMNS.map((state) => [state, stateName(state), (o) => o.state === state && !later(o)]),
      ['closed', t('staff.lane.closed'), (o) => o.state === 'cancelled' || o.state === 'rejected']];
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
      alerts.append(h('p', { class: 'alert', 'data-testid': 'cancelled-alert' }, `${t('staff.cancelled_by_guest', { number: order.number })} `,
        h('button', { type: 'button', class: 'link', onclick: (event) => event.target.parentElement.remove() }, t('staff.dismiss'))));
      if (sound.checked) beep();
    }
    orders.set(order.id, order);
    render();
  }

  // A live message cut to fit a frame lacks lines: read that order whole.
  async function arrived(order, { truncated }) {
    if (!truncated) return upsert(order);
    try { upsert(await api('GET', `/v1/restaurants/${slug}/orders/${order.id}`, { token })); } catch (problem) { toast(guestMessage(problem)); }
  }

  const [bookings, soldOut] = await Promise.all([reservations(slug, token), soldOutPanel(slug, token)]);
  // The login ended while this page was reading: the login form is drawn instead.
  if (!session(slug)) return;
  // Offline, the board may be out of date and a click may not reach the server: every action is
  // off, and said loudly, until the board is live (or checking over HTTP) again.
  const offlineBanner = h('p', { class: 'offline-banner', role: 'alert', 'data-testid': 'offline', hidden: true },
    t('staff.offline_banner'));
  const actions = h('fieldset', { class: 'board-actions' }, h('legend', { class: 'visually-hidden' }, t('staff.actions_legend')),
    paceControls(slug, token, restaurant), soldOut, board);
  let lastStatus = 'connecting';
  const setOffline = () => {
    const offline = lastStatus === 'reconnecting' || !navigator.onLine;
    offlineBanner.hidden = !offline;
    indicator.textContent = offline ? t(lastStatus === 'reconnecting' ? 'staff.offline_reconnecting' : 'staff.offline')
      : t({ live: 'staff.live', polling: 'staff.polling' }[lastStatus] ?? 'staff.connecting');
    indicator.className = `connection ${offline ? 'reconnecting' : lastStatus}`;
    actions.disabled = offline;
    document.body.classList.toggle('offline', offline);
  };
  window.addEventListener('offline', setOffline);
  window.addEventListener('online', setOffline);
  show(h('h1', {}, t('staff.orders')), indicator, offlineBanner,
    h('p', { class: 'board-options' }, h('label', { for: 'sound', class: 'choice' }, sound, ` ${t('staff.sound')}`),
      h('label', { for: 'auto-print', class: 'choice' }, autoPrint, ` ${t('staff.auto_print')}`)),
    alerts, actions, h('h2', {}, t('staff.todays_bookings')), bookings);
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
    if (page.reservations.length === 0) return h('p', {}, t('staff.no_bookings_today'));
    const time = (r) => new Date(r.starts_at).toLocaleTimeString(document.documentElement.lang || undefined, { timeStyle: 'short' });
    return h('ul', {}, page.reservations.map((r) => h('li', {}, `${time(r)}: `,
      t('staff.guests', { party: r.party, name: r.contact ? r.contact.name : t('staff.guest_erased'), status: t(`booking.status.${r.status}`) }))));
  } catch {
    return h('p', {}, t('staff.bookings_floor_only'));
  }
}
