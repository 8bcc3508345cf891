// The floor's look back and ahead: the day's orders in every state (any day, searchable, with
// totals per state), and the bookings of any day with a week's covers at a glance.
import { api, session } from './api.js';
import { h, money, show, toast, useStaffStyles } from './ui.js';
import { addDays, clock, everyPage, kindName, stateName } from './ticket.js';
import { guestMessage, t } from './words.js';
import { amountText, parseAmount } from './amounts.js';
import { loginForm } from './staff.js';

useStaffStyles();

const dayName = (date) => new Intl.DateTimeFormat(document.documentElement.lang || undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${date}T12:00:00Z`));

async function floorSession(slug, title) {
  const current = session(slug);
  if (!current) { loginForm(slug, title); return null; }
  if (!['owner', 'manager', 'staff'].includes(current.account.role)) {
    show(h('h1', {}, title), h('p', { role: 'alert' }, t('mgr.floor.floor_only')));
    return null;
  }
  // `today` is the restaurant's day of service as the server counts it (its day changes at
  // `day_starts`), so the pages never work it out themselves.
  const { restaurant, today } = await api('GET', `/v1/restaurants/${slug}`);
  return { token: current.token, timeZone: restaurant.time_zone, today };
}

export async function historyPage(slug) {
  const floor = await floorSession(slug, t('mgr.floor.history'));
  if (!floor) return;
  const { token, timeZone, today } = floor;
  const owner = session(slug)?.account.role === 'owner';
  const date = h('input', { type: 'date', id: 'history-date', value: today, max: addDays(today, 7) });
  const search = h('input', { type: 'search', id: 'history-search', placeholder: t('mgr.floor.number_or_name') });
  const summary = h('div', { class: 'summary', 'aria-live': 'polite' });
  const table = h('div');
  let orders = [];
  function render() {
    const wanted = search.value.trim().toLowerCase().replace(/^#/, '');
    const shown = orders.filter((o) => !wanted || String(o.number) === wanted || (o.customer?.name ?? '').toLowerCase().includes(wanted));
    const states = [...new Set(orders.map((o) => o.state))];
    summary.replaceChildren(orders.length === 0 ? h('p', {}, t('mgr.floor.no_orders'))
      : h('table', { class: 'totals', 'data-testid': 'state-totals' },
        h('caption', {}, t('mgr.floor.orders_count', { count: orders.length })),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('mgr.floor.state')), h('th', { scope: 'col' }, t('staff.orders')), h('th', { scope: 'col' }, t('mgr.floor.total')))),
        h('tbody', {}, states.map((state) => {
          const of = orders.filter((o) => o.state === state);
          const sum = { minor: of.reduce((s, o) => s + o.totals.total.minor, 0), currency: of[0].totals.total.currency };
          return h('tr', { 'data-state': state }, h('th', { scope: 'row' }, stateName(state)), h('td', {}, String(of.length)), h('td', {}, money(sum)));
        }))));
    table.replaceChildren(shown.length === 0 ? '' : h('table', { class: 'history', 'data-testid': 'history' },
      h('thead', {}, h('tr', {}, ['#', t('state.placed'), t('mgr.floor.how'), t('mgr.floor.guest'), t('mgr.floor.state'), t('mgr.floor.total')].map((word) => h('th', { scope: 'col' }, word)))),
      h('tbody', {}, shown.map((o) => h('tr', { 'data-order': o.id },
        h('td', {}, `#${o.number}`), h('td', {}, clock(o.placed_at, timeZone)),
        h('td', {}, o.kind.type === 'dine_in' ? t('staff.table', { table: o.kind.table }) : kindName(o.kind.type)),
        h('td', {}, o.customer?.name ?? t('staff.guest_erased')), h('td', {}, stateName(o.state)),
        h('td', {}, money(o.totals.total), o.paid ? paidNote(o) : '', owner && o.paid ? refundForm(o) : ''))))));
  }
  /** What was paid online, and what of it was given back. */
  function paidNote(o) {
    const back = (o.paid.refunds ?? []).reduce((sum, r) => sum + r.amount.minor, 0);
    return h('small', { class: 'paid', 'data-testid': 'paid' }, ' · ', t(`staff.paid.${o.paid.state}`),
      back ? ` · ${t('mgr.refund.refunded', { amount: money({ minor: back, currency: o.paid.amount.currency }) })}` : '');
  }
  /** The owner gives all or part of a taken payment back, saying why (the guest sees it). */
  function refundForm(o) {
    const left = o.paid.amount.minor - (o.paid.refunds ?? []).reduce((sum, r) => sum + r.amount.minor, 0);
    if (o.paid.state !== 'captured' || left <= 0) return '';
    const { currency } = o.paid.amount;
    const amount = h('input', { name: 'amount', inputmode: 'decimal', required: true, value: amountText(left, currency), id: `refund-amount-${o.id}` });
    const reason = h('input', { name: 'reason', required: true, maxlength: 500, id: `refund-reason-${o.id}` });
    const said = h('p', { role: 'status', class: 'row-status' });
    const key = crypto.randomUUID();
    const form = h('form', { class: 'refund' },
      h('label', { for: `refund-amount-${o.id}` }, t('mgr.refund.amount', { left: money({ minor: left, currency }) })), amount,
      h('label', { for: `refund-reason-${o.id}` }, t('mgr.refund.reason')), reason, said,
      h('button', { type: 'submit' }, t('mgr.refund.give')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const minor = parseAmount(amount.value, currency);
      if (minor === null || minor <= 0 || minor > left) { said.textContent = t('error.invalid_refund_amount'); amount.focus(); return; }
      if (!reason.value.trim()) { said.textContent = t('error.refund_reason_required'); reason.focus(); return; }
      try {
        await api('POST', `/v1/restaurants/${slug}/orders/${o.id}/refunds`, { token, body: { amount: minor, reason: reason.value.trim() }, headers: { 'idempotency-key': key } });
        toast(t('mgr.refund.done', { number: o.number }));
        await load();
      } catch (problem) { said.textContent = guestMessage(problem); }
    });
    return h('details', {}, h('summary', {}, t('mgr.refund.open')), form);
  }
  async function load() {
    try {
      orders = (await everyPage(`/v1/restaurants/${slug}/orders?date=${date.value}`, 'orders', token)).sort((a, b) => a.number - b.number);
      render();
    } catch (problem) { toast(guestMessage(problem)); }
  }
  date.addEventListener('change', load);
  search.addEventListener('input', render);
  show(h('h1', {}, t('mgr.floor.history')),
    h('div', { class: 'filters' }, h('label', { for: 'history-date' }, `${t('mgr.floor.day')} `), date, h('label', { for: 'history-search' }, ` ${t('mgr.floor.find')} `), search),
    summary, table);
  await load();
}

const BOOKING_STEPS = ['seated', 'no_show'];
const bookingState = (status) => t(`mgr.floor.booking.${status}`);

export async function bookingsPage(slug) {
  const floor = await floorSession(slug, t('staff.bookings'));
  if (!floor) return;
  const { token, timeZone, today } = floor;
  const date = h('input', { type: 'date', id: 'bookings-date', value: today });
  const week = h('div', { class: 'week' });
  const day = h('div');
  const covers = (list) => list.filter((r) => r.status === 'confirmed' || r.status === 'seated').reduce((sum, r) => sum + r.party, 0);
  async function step(reservation, status) {
    try {
      await api('POST', `/v1/restaurants/${slug}/reservations/${reservation.id}/status`, { token, body: { status } });
    } catch (problem) { toast(guestMessage(problem)); return; }
    await load(`${reservation.contact?.name ?? t('mgr.floor.the_booking')}: ${bookingState(status)}`);
  }
  // What a change confirms is shown once the list shows it, so the two never disagree.
  async function load(done) {
    try {
      const first = date.value;
      const days = Array.from({ length: 7 }, (_, i) => addDays(first, i));
      const lists = await Promise.all(days.map((d) => everyPage(`/v1/restaurants/${slug}/reservations?date=${d}`, 'reservations', token)));
      week.replaceChildren(h('h2', {}, t('mgr.floor.covers_week')), h('ul', { class: 'week-days', 'data-testid': 'week' }, days.map((d, i) => h('li', {},
        h('button', { type: 'button', class: d === first ? 'link current' : 'link', onclick: () => { date.value = d; load(); } },
          t(lists[i].length === 1 ? 'mgr.floor.day_one' : 'mgr.floor.day_many', { day: dayName(d), covers: covers(lists[i]), count: lists[i].length }))))));
      const bookings = lists[0].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
      day.replaceChildren(h('h2', {}, t('mgr.floor.day_covers', { day: dayName(first), covers: covers(bookings) })), bookings.length === 0 ? h('p', {}, t('mgr.floor.no_bookings'))
        : h('table', { class: 'history', 'data-testid': 'bookings' },
          h('thead', {}, h('tr', {}, ['mgr.floor.time', 'mgr.floor.party', 'mgr.floor.guest', 'mgr.floor.note', 'mgr.floor.state', 'mgr.team.change'].map((key) => h('th', { scope: 'col' }, t(key))))),
          h('tbody', {}, bookings.map((r) => h('tr', { 'data-reservation': r.id },
            h('td', {}, clock(r.starts_at, timeZone)), h('td', {}, String(r.party)),
            h('td', {}, r.contact ? [r.contact.name, r.contact.phone ? [' · ', h('a', { href: `tel:${r.contact.phone.replace(/[^+\d]/g, '')}` }, r.contact.phone)] : ''] : t('staff.guest_erased')),
            h('td', {}, r.note ?? ''), h('td', {}, bookingState(r.status)),
            // A guest is a no-show only once their time has come.
            h('td', {}, r.status === 'confirmed' ? BOOKING_STEPS
              .filter((status) => status !== 'no_show' || new Date(r.starts_at).getTime() <= Date.now())
              .map((status) => h('button', { type: 'button', onclick: () => step(r, status) }, `${bookingState(status)}: ${r.contact?.name ?? `#${r.party}`}`)) : ''))))));
      if (done) toast(done);
    } catch (problem) { toast(done ? `${done}. ${guestMessage(problem)}` : guestMessage(problem)); }
  }
  date.addEventListener('change', () => load());
  show(h('h1', {}, t('staff.bookings')), h('div', { class: 'filters' }, h('label', { for: 'bookings-date' }, `${t('mgr.sales.from')} `), date), week, day);
  await load();
}
