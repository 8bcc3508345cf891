// Restaurant settings a manager edits: opening hours, closure dates, tables, the guests' default
// language, how long orders take (with the later slots guests may order pickup and delivery for),
// and what a delivery costs, the least it is taken for and where it goes.
import { saveRestaurant } from './restaurant-forms.js';
import { amountText, parseAmount } from './amounts.js';
import { hoursEditor } from './hours-editor.js';
import { h, money } from './ui.js';
import { t } from './words.js';

/** The timing fields: name, label, smallest and largest value. */
const TIMING = [
  ['dine_in_minutes', 'mgr.set.dine_in_minutes', 1, 240],
  ['pickup_minutes', 'mgr.set.pickup_minutes', 1, 240],
  ['delivery_minutes', 'mgr.set.delivery_minutes', 1, 240],
  ['slot_minutes', 'mgr.set.slot_minutes', 5, 120],
  ['orders_per_slot', 'mgr.set.orders_per_slot', 1, 1000],
];

const DEFAULT_TIMING = { dine_in_minutes: 15, pickup_minutes: 20, delivery_minutes: 40, slot_minutes: 15, orders_per_slot: 10 };

/** When the board's tickets turn amber and red: name, label, smallest and largest value. */
const ALERTS = [
  ['amber_minutes', 'mgr.set.amber_minutes', 1, 239],
  ['red_minutes', 'mgr.set.red_minutes', 2, 240],
];

const DELIVERY_AMOUNTS = [['delivery_fee', 'fee', 'mgr.set.delivery_fee'], ['delivery_minimum', 'minimum', 'mgr.set.delivery_minimum']];
/** The server's bounds on delivery terms (`DeliveryTerms::MAX_AMOUNT`, `MAX_POSTCODES`). */
const MAX_DELIVERY_AMOUNT = 100000000;
const MAX_POSTCODES = 500;
/** Where the server's refusal of a delivery field is shown; the terms as a whole go under the postcodes. */
const DELIVERY_ERRORS = { fee: '#delivery_fee-error', minimum: '#delivery_minimum-error' };

function deliveryFields(restaurant) {
  const terms = restaurant.delivery ?? { fee: 0, minimum: 0, postcodes: [] };
  const errorFor = (name) => h('p', { class: 'error', id: `${name}-error`, role: 'alert', hidden: true });
  return h('fieldset', {}, h('legend', {}, t('staff.kind.delivery')),
    DELIVERY_AMOUNTS.map(([name, key, label]) => h('div', { class: 'field' },
      h('label', { for: `settings-${name}` }, `${t(label)} (${restaurant.currency})`),
      h('input', { id: `settings-${name}`, name, inputmode: 'decimal', value: amountText(terms[key], restaurant.currency), 'aria-describedby': `${name}-error` }),
      errorFor(name))),
    h('div', { class: 'field' },
      h('label', { for: 'settings-postcodes' }, t('mgr.set.postcodes')),
      h('textarea', { id: 'settings-postcodes', name: 'postcodes', rows: 2, 'aria-describedby': 'postcodes-hint postcodes-error' }, terms.postcodes.join(', ')),
      h('p', { class: 'note', id: 'postcodes-hint' },
        t('mgr.set.postcodes_hint')),
      errorFor('postcodes')));
}

/** The delivery terms as typed, or null with each wrong field's error shown beside it. */
function readDelivery(form, data, currency) {
  let ok = true;
  const show = (name, message) => {
    const box = form.querySelector(`#${name}-error`);
    box.textContent = message ?? '';
    box.hidden = !message;
    if (message && ok) form.elements[name].focus();
    if (message) ok = false;
  };
  const [fee, minimum] = DELIVERY_AMOUNTS.map(([name]) => {
    const minor = parseAmount(data.get(name) || '0', currency);
    show(name, minor === null ? t('mgr.set.amount_like', { example: amountText(250, currency) })
      : minor > MAX_DELIVERY_AMOUNT ? t('mgr.set.at_most', { amount: money({ minor: MAX_DELIVERY_AMOUNT, currency }) }) : null);
    return minor;
  });
  const postcodes = data.get('postcodes').split(/[,\n]/).map((p) => p.trim().replace(/\s+/g, ' ')).filter(Boolean);
  // DeliveryArea::PATTERN: a postcode, or the start of one followed by *.
  const wrong = postcodes.filter((p) => !/^([A-Za-z0-9][A-Za-z0-9 -]{0,8}[A-Za-z0-9]|[A-Za-z0-9]([A-Za-z0-9 -]{0,7}[A-Za-z0-9])?\*)$/.test(p));
  const distinct = new Set(postcodes.map((p) => p.toUpperCase())).size;
  show('postcodes', wrong.length ? t('mgr.set.not_postcode', { list: wrong.join(', ') })
    : distinct > MAX_POSTCODES ? t('mgr.set.too_many_postcodes', { max: MAX_POSTCODES, count: distinct }) : null);
  return ok ? { fee, minimum, postcodes } : null;
}

/** The form for the settings below; `shared` is the page's `{ restaurant, version }`. */
export function settingsForm(slug, token, shared) {
  const { restaurant } = shared;
  const hours = hoursEditor(restaurant.hours);
  // What the last save did, beside its button; a refusal goes beside the part it names.
  const said = h('p', { role: 'status', class: 'row-status', 'data-testid': 'settings-status' });
  const form = h('form', { 'aria-label': t('mgr.set.form') },
    hours.element,
    h('label', {}, `${t('mgr.set.day_starts')} `,
      h('input', { name: 'day_starts', type: 'time', required: true, value: restaurant.day_starts.slice(0, 5) })),
    h('label', {}, `${t('mgr.set.language')} `,
      h('select', { name: 'language' }, [['en', 'English'], ['de', 'Deutsch']].map(([code, name]) => h('option', { value: code, selected: (restaurant.language ?? 'en') === code }, name)))),
    h('fieldset', {}, h('legend', {}, t('mgr.set.timing')),
      TIMING.map(([name, label, min, max]) => h('label', {}, `${t(label)} `,
        h('input', { name, type: 'number', inputmode: 'numeric', min, max, step: 1, required: true, value: (restaurant.timing ?? DEFAULT_TIMING)[name] }))),
      h('p', { class: 'error', id: 'timing-error', role: 'alert', hidden: true })),
    h('fieldset', {}, h('legend', {}, t('mgr.set.board')),
      ALERTS.map(([name, label, min, max]) => h('label', {}, `${t(label)} `,
        h('input', { name, type: 'number', inputmode: 'numeric', min, max, step: 1, required: true, value: (restaurant.ticket_alerts ?? { amber_minutes: 10, red_minutes: 20 })[name] }))),
      h('p', { class: 'error', id: 'alerts-error', role: 'alert', hidden: true })),
    deliveryFields(restaurant),
    said,
    h('button', { type: 'submit' }, t('mgr.set.save')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    said.textContent = '';
    form.querySelector('#timing-error').hidden = true;
    try {
      const openingHours = hours.read();
      const timing = Object.fromEntries(TIMING.map(([name]) => [name, Number(data.get(name))]));
      const delivery = readDelivery(form, data, restaurant.currency);
      const alerts = Object.fromEntries(ALERTS.map(([name]) => [name, Number(data.get(name))]));
      const alertsError = form.querySelector('#alerts-error');
      alertsError.hidden = alerts.red_minutes > alerts.amber_minutes;
      alertsError.textContent = alertsError.hidden ? '' : t('mgr.set.red_after_amber');
      if (!alertsError.hidden) form.elements.red_minutes.focus();
      if (!openingHours || !delivery || !alertsError.hidden) return;
      await saveRestaurant(slug, token, shared, { hours: openingHours, language: data.get('language'), timing, day_starts: data.get('day_starts'), delivery, ticket_alerts: alerts });
      said.textContent = t('mgr.set.saved');
    } catch (problem) {
      const [part, detail] = problem.field?.replace(/^restaurant\./, '').split('.') ?? [];
      const box = { timing: '#timing-error', ticket_alerts: '#alerts-error', delivery: DELIVERY_ERRORS[detail] ?? '#postcodes-error' }[part];
      if (part === 'hours') hours.fail(problem.message);
      else if (box) Object.assign(form.querySelector(box), { textContent: problem.message, hidden: false });
      else said.textContent = problem.message;
    }
  });
  return form;
}

/** The delivery terms alone, as the setup asks for them: fee, minimum and postcodes. */
export function deliveryForm(slug, token, shared) {
  const { restaurant } = shared;
  const said = h('p', { role: 'status', class: 'row-status', 'data-testid': 'delivery-status' });
  const form = h('form', { 'aria-label': t('mgr.set.terms') }, deliveryFields(restaurant), said, h('button', { type: 'submit' }, t('mgr.set.save_terms')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    said.textContent = '';
    const delivery = readDelivery(form, new FormData(form), restaurant.currency);
    if (!delivery) return;
    try {
      await saveRestaurant(slug, token, shared, { delivery });
      said.textContent = t('mgr.set.terms_saved');
    } catch (problem) {
      const detail = problem.field?.replace(/^restaurant\.delivery\.?/, '');
      const box = form.querySelector(DELIVERY_ERRORS[detail] ?? '#postcodes-error');
      if (problem.field?.startsWith('restaurant.delivery')) Object.assign(box, { textContent: problem.message, hidden: false });
      else said.textContent = problem.message;
    }
  });
  return form;
}
