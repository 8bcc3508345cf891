// What a kitchen ticket says and how the board calls attention to it: the time placed and its
// age, the promised time and how close it is, who the order is for, and the tone for new orders.
import { api } from './api.js';
import { h } from './ui.js';
import { t } from './words.js';

/** What the staff's pages call each state of an order: the guests' own words for it. */
export const stateName = (state) => t(`state.${state}`);

/** What the staff's pages call each kind of order. */
export const kindName = (type) => t(`staff.kind.${type}`);

/** The states whose tickets are still being worked on: the board's columns. */
export const COLUMNS = ['placed', 'accepted', 'preparing', 'ready', 'out_for_delivery'];

/** A short tone, at most once a second however many orders arrive together. */
let lastBeep = 0;
let audio = null;

export function beep() {
  if (Date.now() - lastBeep < 1000) return;
  lastBeep = Date.now();
  try {
    // One audio context for the page's life: a board open all evening would otherwise open one
    // per new order, and the browser gives up on audio after a handful.
    audio ??= new AudioContext();
    if (audio.state === 'suspended') audio.resume();
    const tone = audio.createOscillator();
    tone.connect(audio.destination);
    tone.frequency.value = 880;
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  } catch { /* no sound here: the highlight still shows */ }
}

/**
 * The orders this device has announced already, kept across reloads (the last 300), so that an
 * order is announced once: a reload never beeps again for what the kitchen has seen.
 */
export function announcements(slug) {
  const key = `bistro.announced.${slug}`;
  let ids;
  try { ids = JSON.parse(localStorage.getItem(key) ?? '[]'); } catch { ids = []; }
  const known = new Set(ids);
  return {
    /** True the first time this device sees `id`. */
    first(id) {
      if (known.has(id)) return false;
      known.add(id);
      ids = [...ids, id].slice(-300);
      localStorage.setItem(key, JSON.stringify(ids));
      return true;
    },
  };
}

export const clock = (iso, timeZone) => new Intl.DateTimeFormat(undefined, { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

/** When the ticket is due: a time the guest chose, or the preparation time after ordering. */
/** Soonest due first; orders without a promise by number. */
export function byDue(a, b) {
  const due = (o) => (o.promise ? new Date(o.promise.at).getTime() : Infinity);
  return due(a) - due(b) || a.number - b.number;
}

/** An order's lines as the kitchen and the driver read them: quantity, dish, choices, note. */
export function orderLines(order) {
  return h('ul', {}, order.lines.map((line) => h('li', {}, `${line.quantity} × ${line.name}`, line.choices.length ? ` (${line.choices.map((c) => c.name).join(', ')})` : '',
    line.note ? h('strong', { class: 'line-note' }, ` — ${line.note}`) : '')));
}

export function promised(order, timeZone) {
  const at = new Intl.DateTimeFormat(undefined, { timeZone, hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(new Date(order.promise.at));
  if (!order.promise.scheduled) return t('staff.due', { time: at });
  return order.kind.type === 'delivery' ? t('staff.deliver_ahead', { time: at }) : t('staff.pickup_ahead', { time: at });
}

/**
 * Amber (' due-soon') or red (' late') as the restaurant set them: minutes since the kitchen
 * should have started the order (when it was placed; for a later slot, its preparation time
 * before the slot), and red in any case once its promised time has passed.
 */
export function urgency(order, now, restaurant) {
  if (!COLUMNS.includes(order.state)) return '';
  const { amber_minutes: amber, red_minutes: red } = restaurant.ticket_alerts ?? { amber_minutes: 10, red_minutes: 20 };
  const due = order.promise ? new Date(order.promise.at).getTime() : null;
  if (due !== null && now > due) return ' late';
  // When the kitchen should have started, as the server agreed it at placement (orders placed
  // before it said so: when placed, or for a later slot, the slot itself).
  const start = new Date(order.promise?.start_by ?? (order.promise?.scheduled ? order.promise.at : order.placed_at)).getTime();
  const minutes = (now - start) / 60_000;
  return minutes >= red ? ' late' : minutes >= amber ? ' due-soon' : '';
}

export function age(order, now) {
  const minutes = Math.max(0, Math.floor((now - new Date(order.placed_at).getTime()) / 60_000));
  return minutes === 0 ? t('staff.just_now') : t('staff.minutes_ago', { minutes });
}

export const KIND_LABEL = (order) => (order.kind.type === 'dine_in' ? t('staff.table', { table: order.kind.table }) : kindName(order.kind.type));

/** Who the order is for and where it goes: the name, and for a delivery the address and phone. */
export function guestDetails(order) {
  if (!order.customer) return [h('p', {}, t('staff.guest_erased'))];
  const { name, phone } = order.customer;
  return [
    h('p', { class: 'guest' }, name, phone ? [' · ', h('a', { href: `tel:${phone.replace(/[^+\d]/g, '')}` }, phone)] : ''),
    order.kind.type === 'delivery' && order.kind.address ? h('p', { class: 'address', 'data-testid': 'address' }, [order.kind.address, order.kind.postcode].filter(Boolean).join('\n')) : '',
  ];
}


/** Every page of a listing, followed through its cursors. */
export async function everyPage(path, field, token) {
  const items = [];
  let cursor = '';
  do {
    const page = await api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    items.push(...page[field]);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export const addDays = (date, days) => {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};
