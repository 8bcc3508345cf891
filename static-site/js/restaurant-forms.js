// The restaurant's own settings as forms with an error beside each field: its name, address,
// time zone, currency and tax; how guests order (kinds, tables); and how bookings work. Used by
// the setup after sign-up and by the manage page. The forms of one page share the restaurant as
// the page read it (`{ restaurant, version }`): each save writes its own fields over it and keeps
// the answer, so two forms never undo each other, and a change made elsewhere meanwhile is
// refused (409) and said, never silently overwritten.
import { api } from './api.js';
import { h } from './ui.js';
import { guestMessage, t } from './words.js';

const CURRENCY_CODES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'DKK', 'NOK', 'PLN', 'CZK', 'CAD', 'AUD'];

/** The currencies a restaurant may choose, each `[code, name]` named in the page's language. */
export function currencies() {
  const names = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'currency' });
  return CURRENCY_CODES.map((code) => [code, names.of(code)]);
}

/** Every time zone the browser knows, the restaurant's first. */
export function zoneOptions(chosen) {
  const zones = Intl.supportedValuesOf?.('timeZone') ?? [chosen];
  return (zones.includes(chosen) ? zones : [chosen, ...zones]).map((zone) => h('option', { value: zone, selected: zone === chosen }, zone.replace(/_/g, ' ')));
}

/**
 * Saves `change` over the page's copy of the restaurant, at the version the page read; the page's
 * copy then holds what was stored. A change made elsewhere meanwhile is refused in words.
 */
export async function saveRestaurant(slug, token, shared, change) {
  try {
    const result = await api('PUT', `/v1/restaurants/${slug}`, { token, body: { restaurant: { ...shared.restaurant, ...change }, version: shared.version } });
    Object.assign(shared, result);
    return result.restaurant;
  } catch (problem) {
    if (problem.code === 'stale_version') problem.message = t('mgr.form.stale');
    throw problem;
  }
}

/** A labelled control with its own error line; `name` is also the API field it stands for. */
export function field(label, control, hint) {
  const id = control.id || `field-${control.name}`;
  control.id = id;
  const error = h('p', { class: 'error', id: `${id}-error`, role: 'alert', hidden: true });
  control.setAttribute('aria-describedby', [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' '));
  control.showError = (message) => { error.textContent = message ?? ''; error.hidden = !message; };
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', { class: 'note', id: `${id}-hint` }, hint) : '', error);
}

/**
 * Says beside a section's save button, as soon as something is typed in it, that it is not saved
 * yet (each section saves only its own fields: saving another one leaves these as typed), and
 * asks before the page is left with a section unsaved. `saved()` clears it.
 */
export function watchUnsaved(form, status, title) {
  let unsaved = false;
  const leaving = (event) => { event.preventDefault(); };
  form.addEventListener('input', () => {
    if (unsaved) return;
    unsaved = true;
    status.textContent = t('mgr.form.unsaved', { title });
    window.addEventListener('beforeunload', leaving);
  });
  return {
    saved() {
      unsaved = false;
      window.removeEventListener('beforeunload', leaving);
    },
  };
}

/**
 * A form of some of the restaurant's settings: `fields` draws its controls from the restaurant,
 * `read(form)` gives the changed fields (or a message per control name when something is wrong).
 */
function settingsSection({ slug, token, title, save, shared, fields, read }) {
  const status = h('p', { role: 'status', class: 'row-status' });
  const button = h('button', { type: 'submit' }, save);
  const form = h('form', { 'aria-label': title }, h('h3', {}, title), fields(shared.restaurant, shared), status, button);
  const unsaved = watchUnsaved(form, status, title);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const control of form.elements) control.showError?.(null);
    status.textContent = '';
    const { change, errors } = read(form);
    const wrong = Object.entries(errors ?? {});
    for (const [name, message] of wrong) form.elements[name].showError(message);
    if (wrong.length) return form.elements[wrong[0][0]].focus();
    button.disabled = true;
    try {
      await saveRestaurant(slug, token, shared, change);
      unsaved.saved();
      status.textContent = t('mgr.form.saved', { title });
    } catch (problem) {
      // The server names the field it refused (restaurant.tax.rate): said beside that control.
      const name = problem.field?.replace(/^restaurant\./, '').split('.')[0];
      const control = [...form.elements].find((c) => c.name === name || c.dataset.field === name);
      if (control?.showError) control.showError(problem.message);
      else status.textContent = problem.code === 'stale_version' ? problem.message : guestMessage(problem);
    } finally { button.disabled = false; }
  });
  return form;
}

export function basicsForm(slug, token, shared) {
  return settingsSection({ slug, token, shared, title: t('mgr.form.basics'), save: t('mgr.form.save_basics'),
    fields: (r) => [
      field(t('mgr.item.name'), h('input', { name: 'name', value: r.name, required: true, maxlength: 100, autocomplete: 'organization' })),
      field(t('mgr.form.address'), Object.assign(h('textarea', { name: 'address', rows: 2, maxlength: 300, autocomplete: 'street-address' }), { value: r.address ?? '' })),
      field(t('mgr.form.time_zone'), h('select', { name: 'time_zone' }, zoneOptions(r.time_zone))),
      field(t('mgr.form.currency'), h('select', { name: 'currency' }, currencies().map(([code, name]) => h('option', { value: code, selected: code === r.currency }, `${name} (${code})`))),
        t('mgr.form.currency_hint')),
      field(t('mgr.form.tax_rate'), h('input', { name: 'tax_rate', 'data-field': 'tax', inputmode: 'decimal', value: String(r.tax.rate / 100), required: true })),
      field(t('mgr.form.menu_prices'), h('select', { name: 'tax_mode' }, [['inclusive', t('mgr.form.tax_inclusive')], ['exclusive', t('mgr.form.tax_exclusive')]].map(([value, label]) => h('option', { value, selected: r.tax.mode === value }, label)))),
    ],
    read: (form) => {
      const v = (name) => form.elements[name].value.trim();
      const errors = {};
      if (!v('name')) errors.name = t('mgr.form.name_needed');
      const percent = Number(v('tax_rate').replace(',', '.'));
      if (!/^\d+([.,]\d{1,2})?$/.test(v('tax_rate')) || percent > 100) errors.tax_rate = t('mgr.form.tax_format');
      return { errors, change: { name: v('name'), address: v('address') || null, time_zone: v('time_zone'), currency: v('currency'), tax: { rate: Math.round(percent * 100), mode: v('tax_mode') } } };
    } });
}

// Each switch: its name in the API (under `order_kinds` or `switches`) and what it means to a manager.
const KINDS = [['dine_in', 'mgr.form.way.dine_in'], ['pickup', 'staff.kind.pickup'], ['delivery', 'staff.kind.delivery']];
const SWITCHES = [['ordering', 'mgr.form.switch.ordering'], ['ahead', 'mgr.form.switch.ahead'], ['booking', 'mgr.form.switch.booking']];

/** A switch's checkbox, said to be "not available yet" where the deployment holds it back. */
function switchBox(name, label, on, held) {
  const box = h('input', { type: 'checkbox', name, checked: on, 'aria-describedby': held ? `${name}-held` : undefined });
  return h('label', { class: 'inline' }, box, ` ${t(label)}`,
    held ? h('small', { class: 'note', id: `${name}-held`, 'data-testid': 'held' }, ` ${t('mgr.form.held')}`) : '');
}

export function servingForm(slug, token, shared) {
  return settingsSection({ slug, token, shared, title: t('mgr.form.serving'), save: t('mgr.form.save_serving'),
    fields: (r, { held = [] }) => [
      switchBox('ordering', SWITCHES[0][1], r.switches.ordering, held.includes('ordering')),
      h('fieldset', {}, h('legend', {}, t('mgr.form.guests_may_order')),
        KINDS.map(([kind, label]) => switchBox(kind, label, r.order_kinds[kind], held.includes(kind))),
        switchBox('ahead', SWITCHES[1][1], r.switches.ahead, held.includes('ahead'))),
      switchBox('booking', SWITCHES[2][1], r.switches.booking, held.includes('booking')),
      field(t('mgr.form.tables'), h('input', { name: 'tables', value: r.tables.join(', ') }), t('mgr.form.tables_hint')),
    ],
    read: (form) => {
      const tables = form.elements.tables.value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
      const wrong = tables.filter((t) => !/^[a-z0-9]([a-z0-9_-]{0,30}[a-z0-9])?$/.test(t));
      const kinds = Object.fromEntries(KINDS.map(([kind]) => [kind, form.elements[kind].checked]));
      const switches = Object.fromEntries(SWITCHES.map(([name]) => [name, form.elements[name].checked]));
      const errors = {};
      if (wrong.length) errors.tables = t('mgr.form.not_table', { list: wrong.join(', ') });
      else if (kinds.dine_in && tables.length === 0) errors.tables = t('mgr.form.needs_table');
      return { errors, change: { order_kinds: kinds, switches, tables } };
    } });
}

const BOOKING = [
  ['slot_minutes', 'mgr.book.slot_minutes', 5, 240],
  ['seating_minutes', 'mgr.book.seating_minutes', 5, 720],
  ['covers_per_slot', 'mgr.book.covers_per_slot', 1, 5000],
  ['party_min', 'mgr.book.party_min', 1, 5000],
  ['party_max', 'mgr.book.party_max', 1, 5000],
  ['lead_minutes', 'mgr.book.lead_minutes', 0, 43200],
  ['horizon_days', 'mgr.book.horizon_days', 1, 366],
];

export function bookingsForm(slug, token, shared) {
  return settingsSection({ slug, token, shared, title: t('staff.bookings'), save: t('mgr.form.save_bookings'),
    fields: (r) => BOOKING.map(([name, label, min, max]) => field(t(label),
      h('input', { name, 'data-field': 'reservations', type: 'number', inputmode: 'numeric', min, max, step: 1, required: true, value: r.reservations[name] }))),
    read: (form) => {
      const errors = {};
      const values = Object.fromEntries(BOOKING.map(([name, , min, max]) => {
        const value = Number(form.elements[name].value);
        if (!Number.isInteger(value) || value < min || value > max) errors[name] = t('mgr.form.whole_number', { min, max });
        return [name, value];
      }));
      if (!errors.party_max && values.party_max < values.party_min) errors.party_max = t('mgr.book.at_least_fewest');
      if (!errors.party_max && values.party_max > values.covers_per_slot) errors.party_max = t('mgr.book.at_most_covers');
      if (!errors.seating_minutes && values.seating_minutes < values.slot_minutes) errors.seating_minutes = t('mgr.book.at_least_slot');
      return { errors, change: { reservations: values } };
    } });
}
