// A restaurant signs up and sets itself up in the browser, no JSON or curl: the owner and the
// restaurant in one form (with the sign-up code where the deployment asks for one), then the
// setup walks through the basics, how guests order, opening hours and a first dish, and ends
// with the guest's menu and the tables' QR codes to print.
import { api, saveSession, session } from './api.js';
import { amountText, parseAmount } from './amounts.js';
import { hoursEditor } from './hours-editor.js';
import { deliveryForm } from './settings.js';
import { idFrom } from './item-editor.js';
import { basicsForm, currencies, bookingsForm, field, saveRestaurant, servingForm, watchUnsaved, zoneOptions } from './restaurant-forms.js';
import { loginForm } from './staff.js';
import { h, show, useStaffStyles } from './ui.js';
import { guestMessage, t } from './words.js';

useStaffStyles();

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const go = (path) => { history.pushState({}, '', path); window.dispatchEvent(new PopStateEvent('popstate')); };

/** What a new restaurant starts with until its owner says otherwise in the setup. */
function startingRestaurant({ slug, name, zone, currency, rate, mode }) {
  return {
    slug, name, currency, time_zone: zone,
    hours: { weekly: Object.fromEntries(DAYS.map((day) => [day, [{ opens: '12:00', closes: '22:00' }]])), closures: [] },
    order_kinds: { dine_in: true, pickup: true, delivery: false },
    tables: ['1', '2', '3', '4', '5'],
    tax: { rate, mode },
    reservations: { slot_minutes: 30, seating_minutes: 90, covers_per_slot: 20, party_min: 1, party_max: 8, lead_minutes: 60, horizon_days: 60 },
  };
}

export function signUpPage() {
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const control = (attrs) => h('input', attrs);
  const fields = {
    name: control({ name: 'name', required: true, maxlength: 100, autocomplete: 'organization' }),
    slug: control({ name: 'slug', required: true, maxlength: 40, autocapitalize: 'none', spellcheck: 'false' }),
    zone: h('select', { name: 'zone' }, zoneOptions(browserZone)),
    currency: h('select', { name: 'currency' }, currencies().map(([code, label]) => h('option', { value: code }, `${label} (${code})`))),
    rate: control({ name: 'rate', inputmode: 'decimal', required: true }),
    mode: h('select', { name: 'mode' }, [['inclusive', t('mgr.form.tax_inclusive')], ['exclusive', t('mgr.form.tax_exclusive')]].map(([value, label]) => h('option', { value }, label))),
    owner: control({ name: 'owner', required: true, maxlength: 100, autocomplete: 'name' }),
    email: control({ name: 'email', type: 'email', required: true, autocomplete: 'email' }),
    password: control({ name: 'password', type: 'password', required: true, minlength: 10, maxlength: 128, autocomplete: 'new-password' }),
    code: control({ name: 'code', maxlength: 200, autocomplete: 'off' }),
  };
  let slugTouched = false;
  fields.slug.addEventListener('input', () => { slugTouched = true; });
  fields.name.addEventListener('input', () => { if (!slugTouched) fields.slug.value = idFrom(fields.name.value, []).slice(0, 40).replace(/-+$/, ''); });
  const general = h('p', { class: 'error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, t('mgr.signup.create'));
  const form = h('form', { 'aria-label': t('mgr.signup.form'), novalidate: true },
    h('fieldset', {}, h('legend', {}, t('mgr.form.basics')),
      field(t('mgr.item.name'), fields.name),
      field(t('mgr.signup.web_address'), fields.slug, t('mgr.signup.web_address_hint', { origin: location.origin })),
      field(t('mgr.form.time_zone'), fields.zone),
      field(t('mgr.form.currency'), fields.currency),
      field(t('mgr.form.tax_rate'), fields.rate, t('mgr.signup.tax_hint')),
      field(t('mgr.form.menu_prices'), fields.mode)),
    h('fieldset', {}, h('legend', {}, t('mgr.signup.owner')),
      field(t('mgr.signup.your_name'), fields.owner),
      field(t('staff.email'), fields.email),
      field(t('staff.password'), fields.password, t('mgr.signup.password_hint'))),
    field(t('mgr.signup.code'), fields.code, t('mgr.signup.code_hint')),
    general, button);
  const fail = (name, message) => {
    const target = fields[name];
    if (target) { target.showError(message); target.focus(); } else { general.textContent = message; general.hidden = false; }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const f of Object.values(fields)) f.showError(null);
    general.hidden = true;
    const v = (name) => fields[name].value.trim();
    const percent = Number(v('rate').replace(',', '.'));
    const checks = [
      ['name', !v('name'), t('mgr.form.name_needed')],
      ['slug', !/^[a-z0-9][a-z0-9_-]{0,38}[a-z0-9]$/.test(v('slug')), t('mgr.signup.slug_rule')],
      ['rate', !/^\d+([.,]\d{1,2})?$/.test(v('rate')) || percent > 100, t('mgr.form.tax_format')],
      ['owner', !v('owner'), t('mgr.signup.name_needed')],
      ['email', !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v('email')), t('mgr.signup.email_rule')],
      ['password', fields.password.value.length < 10, t('mgr.signup.password_rule')],
    ];
    const wrong = checks.find(([, bad]) => bad);
    if (wrong) return fail(wrong[0], wrong[2]);
    const slug = v('slug');
    const restaurant = startingRestaurant({ slug, name: v('name'), zone: v('zone'), currency: v('currency'), rate: Math.round(percent * 100), mode: v('mode') });
    button.disabled = true;
    try {
      const created = await api('POST', '/v1/restaurants', { body: { restaurant, owner: { name: v('owner'), email: v('email'), password: fields.password.value }, ...(v('code') ? { sign_up_code: v('code') } : {}) } });
      saveSession(slug, created.session);
      go(`/r/${slug}/setup`);
    } catch (problem) {
      button.disabled = false;
      const where = problem.code === 'slug_taken' ? 'slug'
        : ['sign_up_code_invalid', 'invalid_sign_up_code'].includes(problem.code) ? 'code'
          : { 'owner.email': 'email', 'owner.password': 'password', 'owner.name': 'owner', 'restaurant.slug': 'slug', 'restaurant.name': 'name' }[problem.field] ?? null;
      const words = { slug_taken: 'mgr.signup.slug_taken', sign_up_code_invalid: 'mgr.signup.code_invalid', sign_up_closed: 'mgr.signup.closed' };
      fail(where, words[problem.code] ? t(words[problem.code]) : where ? problem.message : guestMessage(problem));
    }
  });
  show(h('h1', {}, t('mgr.signup.title')), h('p', {}, t('mgr.signup.intro')), form);
}

/** The first category and dish, so that guests have something to order. */
function firstDishForm(slug, token, currency, done) {
  const category = h('input', { name: 'category', required: true, maxlength: 100, value: t('mgr.signup.mains') });
  const dish = h('input', { name: 'dish', required: true, maxlength: 100 });
  const price = h('input', { name: 'price', inputmode: 'decimal', required: true });
  const status = h('p', { role: 'status', class: 'row-status' });
  const form = h('form', { 'aria-label': t('mgr.signup.first_dish') }, h('h3', {}, t('mgr.signup.first_dish')),
    field(t('mgr.item.category'), category), field(t('mgr.sales.dish'), dish), field(t('mgr.item.price', { currency }), price, t('mgr.signup.like', { example: amountText(1250, currency) })), status,
    h('button', { type: 'submit' }, t('mgr.signup.add_dish')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const c of [category, dish, price]) c.showError(null);
    const minor = parseAmount(price.value, currency);
    if (!category.value.trim()) return category.showError(t('mgr.signup.category_needed'));
    if (!dish.value.trim()) return dish.showError(t('mgr.signup.dish_needed'));
    if (minor === null) return price.showError(t('mgr.item.price_format', { currency, example: amountText(1250, currency) }));
    try {
      const menu = await api('GET', `/v1/restaurants/${slug}/menu?limit=200`);
      let found = menu.categories.find((c) => c.name.toLowerCase() === category.value.trim().toLowerCase());
      if (!found) {
        const id = idFrom(category.value, menu.categories.map((c) => c.id));
        found = (await api('POST', `/v1/restaurants/${slug}/menu/categories`, { token, body: { id, name: category.value.trim(), position: 10 } })).category;
      }
      await api('POST', `/v1/restaurants/${slug}/menu/items`, { token, body: { item: { category: found.id, name: dish.value.trim(), price: { minor, currency } } } });
      status.textContent = t('mgr.on_the_menu', { name: dish.value.trim() });
      done();
    } catch (problem) {
      if (problem.field?.includes('price')) price.showError(problem.message);
      else status.textContent = guestMessage(problem);
    }
  });
  return form;
}

export async function setupPage(slug) {
  const current = session(slug);
  if (!current) return loginForm(slug, t('mgr.signup.setup_title'));
  const { token } = current;
  // The restaurant as this page read it, shared by its forms (restaurant-forms.js says why).
  const shared = await api('GET', `/v1/restaurants/${slug}`);
  const { restaurant } = shared;
  const hours = hoursEditor(restaurant.hours);
  const hoursStatus = h('p', { role: 'status', class: 'row-status' });
  const hoursForm = h('form', { 'aria-label': t('mgr.signup.hours') }, h('h3', {}, t('mgr.signup.hours')), hours.element, hoursStatus, h('button', { type: 'submit' }, t('mgr.signup.save_hours')));
  const hoursUnsaved = watchUnsaved(hoursForm, hoursStatus, t('mgr.signup.hours'));
  hoursForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const openingHours = hours.read();
    if (!openingHours) return;
    try {
      await saveRestaurant(slug, token, shared, { hours: openingHours });
      hoursUnsaved.saved();
      hoursStatus.textContent = t('mgr.form.saved', { title: t('mgr.signup.hours') });
    } catch (problem) { hours.fail(problem.message); }
  });
  const ready = h('section', { 'aria-labelledby': 'ready-title', hidden: true },
    h('h2', { id: 'ready-title' }, t('mgr.signup.ready')),
    h('ul', {},
      h('li', {}, h('a', { href: `/r/${slug}/` }, t('mgr.signup.menu_as_guests'))),
      h('li', {}, h('a', { href: `/r/${slug}/tables` }, t('mgr.print_qr'))),
      h('li', {}, h('a', { href: `/r/${slug}/manage` }, t('mgr.signup.manage')))));
  const step = (n, title, ...content) => h('section', { class: 'step', 'aria-labelledby': `step-${n}` }, h('h2', { id: `step-${n}` }, `${n}. ${title}`), ...content);
  show(h('h1', {}, t('mgr.signup.setup_named', { name: restaurant.name })),
    step(1, t('mgr.signup.step_basics'), basicsForm(slug, token, shared)),
    step(2, t('mgr.form.serving'), servingForm(slug, token, shared), h('p', {}, h('a', { href: `/r/${slug}/tables` }, t('mgr.print_qr')))),
    step(3, t('mgr.signup.step_open'), hoursForm),
    step(4, t('staff.kind.delivery'), h('p', { class: 'note' }, t('mgr.signup.delivery_note')),
      deliveryForm(slug, token, shared)),
    step(5, t('staff.bookings'), bookingsForm(slug, token, shared)),
    step(6, t('mgr.signup.step_dish'), firstDishForm(slug, token, restaurant.currency, () => { ready.hidden = false; ready.scrollIntoView(); })),
    ready);
}

/** A sheet of QR codes, one per table, that opens the menu at that table: to print and cut. */
export async function tablesPage(slug) {
  const { restaurant } = await api('GET', `/v1/restaurants/${slug}`);
  const { default: qrcode } = await import('./vendor/qrcode.mjs');
  const card = (table) => {
    const url = `${location.origin}/r/${slug}/t/${table}`;
    const code = qrcode(0, 'M');
    code.addData(url);
    code.make();
    const picture = h('div', { class: 'qr', role: 'img', 'aria-label': t('mgr.signup.qr_for', { table }) });
    // Four modules of white around the code, as the QR standard asks: readers find the code by it.
    picture.innerHTML = code.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
    return h('figure', { class: 'table-card', 'data-table': table }, picture, h('figcaption', {}, h('strong', {}, t('staff.table', { table })), h('br'), restaurant.name, h('br'), h('small', {}, url)));
  };
  show(h('h1', {}, t('mgr.signup.qr_title', { name: restaurant.name })),
    h('p', { class: 'no-print' }, `${t('mgr.signup.qr_intro')} `,
      h('button', { type: 'button', onclick: () => window.print() }, t('mgr.signup.print'))),
    restaurant.tables.length ? h('div', { class: 'table-cards' }, restaurant.tables.map(card)) : h('p', {}, t('mgr.signup.no_tables')));
}
