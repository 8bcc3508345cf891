// When the guest gets their order: "ready in about N min" before ordering, a later pickup or
// delivery time from the slots the restaurant offers (also while it is closed, for its next
// opening), and the promised time on the order page. Slots that took all their orders are shown
// as full and cannot be chosen.
import { api } from './api.js';
import { h } from './ui.js';
import { t } from './words.js';

/**
 * The slots offered for `kind`, asked at most once a minute per kind while the page is open, and
 * again at once when the kitchen's busy delay changed (it moves how soon an order is ready).
 */
const asked = new Map();
function laterSlots(slug, kind, { fresh = false, busy = 0 } = {}) {
  const key = `${slug}/${kind}/${busy}`;
  const kept = asked.get(key);
  if (!fresh && kept && Date.now() - kept.at < 60_000) return kept.slots;
  const slots = api('GET', `/v1/restaurants/${slug}/orders/slots?kind=${kind}`);
  asked.set(key, { at: Date.now(), slots });
  slots.catch(() => asked.delete(key));
  return slots;
}

/** A time in the restaurant's zone, with the weekday when it is not today there. */
export function clock(iso, timeZone) {
  const locale = document.documentElement.lang || undefined;
  const day = (date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  const at = new Date(iso);
  const sameDay = day(at) === day(new Date());
  return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', ...(sameDay ? {} : { weekday: 'long' }) }).format(at);
}

/**
 * The "when" part of the checkout for `kind` ('dine_in', 'pickup' or 'delivery'). `restaurant`
 * is the published restaurant; `onChange(orderable, reason)` says whether the choice can be
 * ordered now. Returns the element, the chosen time (`null` for as soon as possible) and a way
 * to show an error next to it and offer the slots again.
 */
export function whenField({ slug, restaurant, kind, open, onChange }) {
  // A busy kitchen (set from the board) promises new orders later by its delay.
  const usual = restaurant.timing?.[`${kind}_minutes`];
  const minutes = usual === undefined ? undefined : usual + (restaurant.pace?.busy_minutes ?? 0);
  const hint = h('p', { class: 'note', id: 'when-hint', 'data-testid': 'ready-in' });
  const error = h('p', { class: 'error', id: 'when-error', role: 'alert', hidden: true });
  const box = h('div', { class: 'field when' });
  const select = h('select', { id: 'guest-when', name: 'when', 'aria-describedby': 'when-hint when-error' });
  const soonText = () => (minutes ? t('when.ready_in', { minutes }) : '');
  const describe = () => {
    hint.textContent = select.value ? t('when.ready_at', { time: clock(select.value, restaurant.time_zone) }) : soonText();
  };
  select.addEventListener('change', () => { error.hidden = true; describe(); });

  if (kind === 'dine_in') {
    hint.textContent = open ? soonText() : '';
    box.append(hint);
    onChange(open, t('checkout.closed'));
    return { element: box, value: () => null, refused: () => {} };
  }
  box.append(h('label', { for: 'guest-when' }, t('when.label')), select, hint, error);
  select.disabled = true;
  hint.textContent = t('when.loading');

  async function offer({ fresh = false } = {}) {
    try {
      const offered = await laterSlots(slug, kind, { fresh, busy: restaurant.pace?.busy_minutes ?? 0 });
      const chosen = select.value;
      const options = [];
      if (offered.now) options.push(h('option', { value: '' }, t('when.soon', { minutes: offered.ready_in_minutes })));
      for (const slot of offered.slots) {
        const time = clock(slot.at, restaurant.time_zone);
        options.push(h('option', { value: slot.at, disabled: slot.full }, slot.full ? t('when.full', { time }) : time));
      }
      select.replaceChildren(...options);
      const free = options.filter((o) => !o.disabled);
      if (free.some((o) => o.value === chosen)) select.value = chosen;
      else if (free.length) select.value = free[0].value;
      select.disabled = free.length === 0;
      describe();
      if (free.length === 0) {
        hint.textContent = t('when.none');
        onChange(false, t('when.none'));
      } else {
        onChange(true, '');
      }
    } catch {
      // Without the slots (offline for a moment), ordering for now still works while open.
      hint.textContent = open ? soonText() : t('checkout.closed');
      select.replaceChildren(h('option', { value: '' }, t('when.soon', { minutes: minutes ?? '' })));
      select.disabled = !open;
      onChange(open, t('checkout.closed'));
    }
  }
  offer();
  return {
    element: box,
    value: () => select.value || null,
    /** The chosen time was refused (full or no longer offered): say so here and offer again. */
    refused(message) {
      error.textContent = message;
      error.hidden = false;
      offer({ fresh: true }).then(() => select.focus());
    },
  };
}

/** What the order page and receipt say about when the order comes. */
export function promiseText(order, timeZone) {
  if (!order.promise) return '';
  const time = clock(order.promise.at, timeZone);
  if (order.promise.scheduled) {
    return order.kind.type === 'delivery' ? t('when.delivery_at', { time }) : t('when.pickup_at', { time });
  }
  return t('when.expected', { time });
}
