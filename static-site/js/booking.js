// Table reservations: pick a day and party, see free times, book; view or cancel with the link.
import { api, ensureDevice } from './api.js';
import { h, show, showBookingLink, submitOnce, localTime } from './ui.js';
import { guestMessage, t } from './words.js';

/** The calendar date `days` after today where the restaurant is (YYYY-MM-DD), not where the guest is. */
export function localDate(timeZone, days = 0, now = Date.now()) {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now)).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export async function bookingPage(slug) {
  ensureDevice(slug);
  const found = await api('GET', `/v1/restaurants/${slug}`);
  const restaurant = found.restaurant;
  showBookingLink(found.offered.booking);
  if (!found.offered.booking) {
    return show(h('h1', {}, t('booking.title', { name: restaurant.name })),
      h('p', { class: 'closed', role: 'status', 'data-testid': 'no-booking' }, t('error.booking_off')),
      h('p', {}, h('a', { href: `/r/${slug}/` }, t('booking.to_menu'))));
  }
  const { lead_minutes: lead, horizon_days: horizon } = restaurant.reservations;
  // The earliest day a booking can start (after the lead time) and the last one it may be made for.
  const earliest = localDate(restaurant.time_zone, 0, Date.now() + lead * 60_000);
  const latest = localDate(restaurant.time_zone, horizon);
  const tomorrow = localDate(restaurant.time_zone, 1);
  const initial = tomorrow > latest ? earliest : tomorrow;
  const slots = h('div', { class: 'slots', 'aria-live': 'polite' });
  const { party_min: fewest, party_max: most } = restaurant.reservations;
  // The page says what is wrong beside the field, in the guest's words: not the browser's bubble.
  const partyError = h('p', { class: 'error', id: 'party-error', role: 'alert', hidden: true });
  const party = h('input', { type: 'number', name: 'party', min: fewest, max: most, value: 2, required: true, 'aria-describedby': 'party-error' });
  const form = h('form', { 'aria-label': t('booking.find'), novalidate: true },
    h('label', {}, `${t('booking.date')} `, h('input', { type: 'date', name: 'date', value: initial, min: earliest, max: latest, required: true })),
    h('label', {}, `${t('booking.party')} `, party), partyError,
    h('button', { type: 'submit' }, t('booking.show_times')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const guests = Number(data.get('party'));
    partyError.hidden = Number.isInteger(guests) && guests >= fewest && guests <= most;
    if (!partyError.hidden) {
      partyError.textContent = t('booking.party_range', { min: fewest, max: most });
      slots.replaceChildren();
      return party.focus();
    }
    try {
      const free = await api('GET', `/v1/restaurants/${slug}/reservations/slots?date=${data.get('date')}&party=${data.get('party')}`);
      slots.replaceChildren(free.slots.length === 0 ? h('p', { 'data-testid': 'no-tables' }, t('booking.none')) : h('div', { class: 'times' },
        free.slots.map((slot) => h('button', { type: 'button', class: 'slot', 'data-date': slot.local.slice(0, 10), onclick: () => slots.replaceChildren(contactForm(slug, restaurant, slot, Number(data.get('party')))) },
          slotTime(slot, free.date, restaurant.time_zone)))));
    } catch (problem) {
      slots.replaceChildren(h('p', { class: 'error', role: 'alert' }, guestMessage(problem)));
    }
  });
  show(h('h1', {}, t('booking.title', { name: restaurant.name })), form, slots);
}

/** A slot's time; one in the small hours after the chosen day (it still belongs to that day's
 *  service) says its own weekday, so nobody books the night before by mistake. */
function slotTime(slot, day, timeZone) {
  const next = slot.local.slice(0, 10) !== day;
  return new Date(slot.starts_at).toLocaleString(undefined, { timeZone, hour: 'numeric', minute: '2-digit', ...(next ? { weekday: 'short' } : {}) });
}

function contactForm(slug, restaurant, slot, party) {
  const button = h('button', { type: 'submit', class: 'primary', 'aria-describedby': 'booking-error' }, t('booking.book'));
  const error = h('p', { class: 'error', id: 'booking-error', role: 'alert', hidden: true });
  const form = h('form', { 'aria-label': t('booking.your_details') },
    h('p', {}, t('booking.summary', { party, time: localTime(slot.starts_at, restaurant.time_zone) })),
    h('label', {}, `${t('booking.name')} `, h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'name' })),
    h('label', {}, `${t('booking.phone')} `, h('input', { name: 'phone', type: 'tel', required: true, maxlength: 32, autocomplete: 'tel' })),
    h('label', {}, `${t('booking.email')} `, h('input', { name: 'email', type: 'email', maxlength: 254, autocomplete: 'email' })),
    h('label', {}, `${t('booking.note')} `, h('input', { name: 'note', autocomplete: 'off' })),
    error, button);
  submitOnce(form, button, async (data, idempotencyKey) => {
    const booked = await api('POST', `/v1/restaurants/${slug}/reservations`, {
      body: {
        starts_at: slot.starts_at, party,
        contact: { name: data.get('name'), phone: data.get('phone'), ...(data.get('email').trim() ? { email: data.get('email').trim() } : {}) },
        ...(data.get('note').trim() ? { note: data.get('note').trim() } : {}),
      },
      headers: { 'idempotency-key': idempotencyKey },
    });
    return `/r/${slug}/booking/${booked.reservation.id}?token=${booked.token}`;
  }, (problem) => {
    error.textContent = guestMessage(problem);
    error.hidden = false;
  });
  return form;
}

/** An iCalendar file (RFC 5545) for the booking, in UTC, for the guest's calendar. */
export function calendarFile(booking, restaurant, now = new Date()) {
  const stamp = (date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const start = new Date(booking.starts_at);
  const end = new Date(start.getTime() + restaurant.reservations.seating_minutes * 60_000);
  // Commas, semicolons and backslashes are escaped in text values.
  const text = (value) => String(value).replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Bistro//Bookings//EN', 'BEGIN:VEVENT',
    `UID:${booking.id}@${restaurant.slug}.bistro`, `DTSTAMP:${stamp(now)}`, `DTSTART:${stamp(start)}`, `DTEND:${stamp(end)}`,
    `SUMMARY:${text(t('booking.calendar_summary', { party: booking.party, name: restaurant.name }))}`,
    ...(restaurant.address ? [`LOCATION:${text(restaurant.address)}`] : []),
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

export async function bookedPage(slug, id, token) {
  const restaurant = (await api('GET', `/v1/restaurants/${slug}`)).restaurant;
  const query = `?token=${encodeURIComponent(token)}`;
  let booking = await api('GET', `/v1/restaurants/${slug}/reservations/${id}${query}`);
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  function render() {
    show(h('h1', {}, booking.status === 'cancelled' ? t('booking.cancelled_title') : t('booking.booked')),
      h('p', { 'data-testid': 'booking-status' }, `${t('booking.summary', { party: booking.party, time: localTime(booking.starts_at, restaurant.time_zone) })}: ${t(`booking.status.${booking.status}`)}`),
      h('p', { class: 'note' }, t('booking.keep_link')),
      error,
      booking.status === 'confirmed' ? h('p', {}, h('a', {
        href: URL.createObjectURL(new Blob([calendarFile(booking, restaurant)], { type: 'text/calendar' })),
        download: `booking-${restaurant.slug}.ics`,
      }, t('booking.calendar'))) : '',
      booking.status === 'confirmed' ? h('button', { type: 'button', onclick: async () => {
        try {
          booking = await api('POST', `/v1/restaurants/${slug}/reservations/${id}/cancel${query}`);
          render();
        } catch (problem) {
          error.textContent = guestMessage(problem);
          error.hidden = false;
        }
      } }, t('booking.cancel')) : '');
  }
  render();
}
