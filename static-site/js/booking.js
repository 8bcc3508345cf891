// Table reservations: pick a day and party, see free times, book; view or cancel with the link.
import { api } from './api.js';
import { h, show, submitOnce, toast, localTime } from './ui.js';

/** The calendar date `days` after today where the restaurant is (YYYY-MM-DD), not where the guest is. */
export function localDate(timeZone, days = 0, now = Date.now()) {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now)).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export async function bookingPage(slug) {
  const restaurant = (await api('GET', `/v1/restaurants/${slug}`)).restaurant;
  const { lead_minutes: lead, horizon_days: horizon } = restaurant.reservations;
  // The earliest day a booking can start (after the lead time) and the last one it may be made for.
  const earliest = localDate(restaurant.time_zone, 0, Date.now() + lead * 60_000);
  const latest = localDate(restaurant.time_zone, horizon);
  const tomorrow = localDate(restaurant.time_zone, 1);
  const initial = tomorrow > latest ? earliest : tomorrow;
  const slots = h('div', { class: 'slots', 'aria-live': 'polite' });
  const form = h('form', { 'aria-label': 'Find a table' },
    h('label', {}, 'Date ', h('input', { type: 'date', name: 'date', value: initial, min: earliest, max: latest, required: true })),
    h('label', {}, 'Guests ', h('input', { type: 'number', name: 'party', min: restaurant.reservations.party_min, max: restaurant.reservations.party_max, value: 2, required: true })),
    h('button', { type: 'submit' }, 'Show times'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const free = await api('GET', `/v1/restaurants/${slug}/reservations/slots?date=${data.get('date')}&party=${data.get('party')}`);
      slots.replaceChildren(free.slots.length === 0 ? h('p', {}, 'No free table that day; try another.') : h('div', { class: 'times' },
        free.slots.map((slot) => h('button', { type: 'button', class: 'slot', onclick: () => slots.replaceChildren(contactForm(slug, restaurant, slot, Number(data.get('party')))) },
          new Date(slot.starts_at).toLocaleTimeString(undefined, { timeZone: restaurant.time_zone, timeStyle: 'short' })))));
    } catch (problem) {
      slots.replaceChildren(h('p', { class: 'error', role: 'alert' }, problem.message));
    }
  });
  show(h('h1', {}, `Book a table at ${restaurant.name}`), form, slots);
}

function contactForm(slug, restaurant, slot, party) {
  const button = h('button', { type: 'submit', class: 'primary' }, 'Book');
  const form = h('form', { 'aria-label': 'Your details' },
    h('p', {}, `${party} guests, ${localTime(slot.starts_at, restaurant.time_zone)}`),
    h('label', {}, 'Name ', h('input', { name: 'name', required: true, maxlength: 100 })),
    h('label', {}, 'Phone ', h('input', { name: 'phone', type: 'tel', required: true, maxlength: 32 })),
    button);
  submitOnce(form, button, async (data, idempotencyKey) => {
    const booked = await api('POST', `/v1/restaurants/${slug}/reservations`, {
      body: { starts_at: slot.starts_at, party, contact: { name: data.get('name'), phone: data.get('phone') } },
      headers: { 'idempotency-key': idempotencyKey },
    });
    return `/r/${slug}/booking/${booked.reservation.id}?token=${booked.token}`;
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
    `SUMMARY:${text(`Table for ${booking.party} at ${restaurant.name}`)}`,
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

export async function bookedPage(slug, id, token) {
  const restaurant = (await api('GET', `/v1/restaurants/${slug}`)).restaurant;
  const query = `?token=${encodeURIComponent(token)}`;
  let booking = await api('GET', `/v1/restaurants/${slug}/reservations/${id}${query}`);
  function render() {
    show(h('h1', {}, booking.status === 'cancelled' ? 'Booking cancelled' : 'Your table is booked'),
      h('p', { 'data-testid': 'booking-status' }, `${booking.party} guests, ${localTime(booking.starts_at, restaurant.time_zone)}: ${booking.status}`),
      h('p', { class: 'note' }, 'Keep this page\'s address to view or cancel your booking.'),
      booking.status === 'confirmed' ? h('p', {}, h('a', {
        href: URL.createObjectURL(new Blob([calendarFile(booking, restaurant)], { type: 'text/calendar' })),
        download: `booking-${restaurant.slug}.ics`,
      }, 'Add to my calendar')) : '',
      booking.status === 'confirmed' ? h('button', { type: 'button', onclick: async () => {
        try {
          booking = await api('POST', `/v1/restaurants/${slug}/reservations/${id}/cancel${query}`);
          render();
        } catch (problem) { toast(problem.message); }
      } }, 'Cancel booking') : '');
  }
  render();
}
