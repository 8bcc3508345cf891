// The floor's look back and ahead: the day's orders in every state (any day, searchable, with
// totals per state), and the bookings of any day with a week's covers at a glance.
import { api, session } from './api.js';
import { h, money, show, toast, useStaffStyles } from './ui.js';
import { addDays, clock, everyPage, kindName, stateName } from './ticket.js';
import { loginForm } from './staff.js';

useStaffStyles();

const dayName = (date) => new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${date}T12:00:00Z`));

async function floorSession(slug, title) {
  const current = session(slug);
  if (!current) { loginForm(slug, title); return null; }
  if (!['owner', 'manager', 'staff'].includes(current.account.role)) {
    show(h('h1', {}, title), h('p', { role: 'alert' }, 'This page is for the restaurant\'s floor staff.'));
    return null;
  }
  // `today` is the restaurant's day of service as the server counts it (its day changes at
  // `day_starts`), so the pages never work it out themselves.
  const { restaurant, today } = await api('GET', `/v1/restaurants/${slug}`);
  return { token: current.token, timeZone: restaurant.time_zone, today };
}

export async function historyPage(slug) {
  const floor = await floorSession(slug, 'Order history');
  if (!floor) return;
  const { token, timeZone, today } = floor;
  const date = h('input', { type: 'date', id: 'history-date', value: today, max: addDays(today, 7) });
  const search = h('input', { type: 'search', id: 'history-search', placeholder: 'Number or name' });
  const summary = h('div', { class: 'summary', 'aria-live': 'polite' });
  const table = h('div');
  let orders = [];
  function render() {
    const wanted = search.value.trim().toLowerCase().replace(/^#/, '');
    const shown = orders.filter((o) => !wanted || String(o.number) === wanted || (o.customer?.name ?? '').toLowerCase().includes(wanted));
    const states = [...new Set(orders.map((o) => o.state))];
    summary.replaceChildren(orders.length === 0 ? h('p', {}, 'No orders on that day.')
      : h('table', { class: 'totals', 'data-testid': 'state-totals' },
        h('caption', {}, `${orders.length} orders`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Orders'), h('th', { scope: 'col' }, 'Total'))),
        h('tbody', {}, states.map((state) => {
          const of = orders.filter((o) => o.state === state);
          const sum = { minor: of.reduce((s, o) => s + o.totals.total.minor, 0), currency: of[0].totals.total.currency };
          return h('tr', { 'data-state': state }, h('th', { scope: 'row' }, stateName(state)), h('td', {}, String(of.length)), h('td', {}, money(sum)));
        }))));
    table.replaceChildren(shown.length === 0 ? '' : h('table', { class: 'history', 'data-testid': 'history' },
      h('thead', {}, h('tr', {}, ['#', 'Placed', 'How', 'Guest', 'State', 'Total'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, shown.map((o) => h('tr', { 'data-order': o.id },
        h('td', {}, `#${o.number}`), h('td', {}, clock(o.placed_at, timeZone)),
        h('td', {}, o.kind.type === 'dine_in' ? `Table ${o.kind.table}` : kindName(o.kind.type)),
        h('td', {}, o.customer?.name ?? 'Guest details erased'), h('td', {}, stateName(o.state)), h('td', {}, money(o.totals.total)))))));
  }
  async function load() {
    try {
      orders = (await everyPage(`/v1/restaurants/${slug}/orders?date=${date.value}`, 'orders', token)).sort((a, b) => a.number - b.number);
      render();
    } catch (problem) { toast(problem.message); }
  }
  date.addEventListener('change', load);
  search.addEventListener('input', render);
  show(h('h1', {}, 'Order history'),
    h('div', { class: 'filters' }, h('label', { for: 'history-date' }, 'Day '), date, h('label', { for: 'history-search' }, ' Find '), search),
    summary, table);
  await load();
}

const BOOKING_STEPS = { seated: 'Seated', no_show: 'No-show' };
const BOOKING_STATES = { confirmed: 'Confirmed', seated: 'Seated', no_show: 'No-show', cancelled: 'Cancelled' };

export async function bookingsPage(slug) {
  const floor = await floorSession(slug, 'Bookings');
  if (!floor) return;
  const { token, timeZone, today } = floor;
  const date = h('input', { type: 'date', id: 'bookings-date', value: today });
  const week = h('div', { class: 'week' });
  const day = h('div');
  const covers = (list) => list.filter((r) => r.status === 'confirmed' || r.status === 'seated').reduce((sum, r) => sum + r.party, 0);
  async function step(reservation, status) {
    try {
      await api('POST', `/v1/restaurants/${slug}/reservations/${reservation.id}/status`, { token, body: { status } });
    } catch (problem) { toast(problem.message); return; }
    await load(`${reservation.contact?.name ?? 'The booking'}: ${BOOKING_STATES[status]}`);
  }
  // What a change confirms is shown once the list shows it, so the two never disagree.
  async function load(done) {
    try {
      const first = date.value;
      const days = Array.from({ length: 7 }, (_, i) => addDays(first, i));
      const lists = await Promise.all(days.map((d) => everyPage(`/v1/restaurants/${slug}/reservations?date=${d}`, 'reservations', token)));
      week.replaceChildren(h('h2', {}, 'Covers this week'), h('ul', { class: 'week-days', 'data-testid': 'week' }, days.map((d, i) => h('li', {},
        h('button', { type: 'button', class: d === first ? 'link current' : 'link', onclick: () => { date.value = d; load(); } },
          `${dayName(d)}: ${covers(lists[i])} covers, ${lists[i].length === 1 ? '1 booking' : `${lists[i].length} bookings`}`)))));
      const bookings = lists[0].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
      day.replaceChildren(h('h2', {}, `${dayName(first)}: ${covers(bookings)} covers`), bookings.length === 0 ? h('p', {}, 'No bookings on that day.')
        : h('table', { class: 'history', 'data-testid': 'bookings' },
          h('thead', {}, h('tr', {}, ['Time', 'Party', 'Guest', 'Note', 'State', 'Change'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, bookings.map((r) => h('tr', { 'data-reservation': r.id },
            h('td', {}, clock(r.starts_at, timeZone)), h('td', {}, String(r.party)),
            h('td', {}, r.contact ? [r.contact.name, r.contact.phone ? [' · ', h('a', { href: `tel:${r.contact.phone.replace(/[^+\d]/g, '')}` }, r.contact.phone)] : ''] : 'Guest details erased'),
            h('td', {}, r.note ?? ''), h('td', {}, BOOKING_STATES[r.status]),
            // A guest is a no-show only once their time has come.
            h('td', {}, r.status === 'confirmed' ? Object.entries(BOOKING_STEPS)
              .filter(([status]) => status !== 'no_show' || new Date(r.starts_at).getTime() <= Date.now())
              .map(([status, label]) => h('button', { type: 'button', onclick: () => step(r, status) }, `${label}: ${r.contact?.name ?? `#${r.party}`}`)) : ''))))));
      if (done) toast(done);
    } catch (problem) { toast(done ? `${done}. ${problem.message}` : problem.message); }
  }
  date.addEventListener('change', () => load());
  show(h('h1', {}, 'Bookings'), h('div', { class: 'filters' }, h('label', { for: 'bookings-date' }, 'From '), date), week, day);
  await load();
}
