// A restaurant signs up and sets itself up in the browser, no JSON or curl: the owner and the
// restaurant in one form (with the sign-up code where the deployment asks for one), then the
// setup walks through the basics, how guests order, opening hours and a first dish, and ends
// with the guest's menu and the tables' QR codes to print.
import { api, saveSession, session } from './api.js';
import { amountText, parseAmount } from './amounts.js';
import { hoursEditor } from './hours-editor.js';
import { deliveryForm } from './settings.js';
import { idFrom } from './item-editor.js';
import { CURRENCIES, basicsForm, bookingsForm, field, saveRestaurant, servingForm, watchUnsaved, zoneOptions } from './restaurant-forms.js';
import { loginForm } from './staff.js';
import { h, show, useStaffStyles } from './ui.js';

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
    currency: h('select', { name: 'currency' }, CURRENCIES.map(([code, label]) => h('option', { value: code }, `${label} (${code})`))),
    rate: control({ name: 'rate', inputmode: 'decimal', required: true }),
    mode: h('select', { name: 'mode' }, [['inclusive', 'include the tax'], ['exclusive', 'have the tax added at checkout']].map(([value, label]) => h('option', { value }, label))),
    owner: control({ name: 'owner', required: true, maxlength: 100, autocomplete: 'name' }),
    email: control({ name: 'email', type: 'email', required: true, autocomplete: 'email' }),
    password: control({ name: 'password', type: 'password', required: true, minlength: 10, maxlength: 128, autocomplete: 'new-password' }),
    code: control({ name: 'code', maxlength: 200, autocomplete: 'off' }),
  };
  let slugTouched = false;
  fields.slug.addEventListener('input', () => { slugTouched = true; });
  fields.name.addEventListener('input', () => { if (!slugTouched) fields.slug.value = idFrom(fields.name.value, []).slice(0, 40).replace(/-+$/, ''); });
  const general = h('p', { class: 'error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Create the restaurant');
  const form = h('form', { 'aria-label': 'Sign up', novalidate: true },
    h('fieldset', {}, h('legend', {}, 'Your restaurant'),
      field('Name', fields.name),
      field('Web address', fields.slug, `Guests find you at ${location.origin}/r/…: lowercase letters, digits and hyphens.`),
      field('Time zone', fields.zone),
      field('Currency', fields.currency),
      field('Tax rate (%)', fields.rate, 'The VAT or sales tax on food, like 19 or 7.5.'),
      field('Menu prices', fields.mode)),
    h('fieldset', {}, h('legend', {}, 'You, the owner'),
      field('Your name', fields.owner),
      field('E-mail', fields.email),
      field('Password', fields.password, 'At least 10 characters.')),
    field('Sign-up code', fields.code, 'Only if whoever runs this service gave you one.'),
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
      ['name', !v('name'), 'Give the restaurant a name.'],
      ['slug', !/^[a-z0-9][a-z0-9_-]{0,38}[a-z0-9]$/.test(v('slug')), 'Use 2 to 40 lowercase letters, digits and hyphens, starting and ending with a letter or digit.'],
      ['rate', !/^\d+([.,]\d{1,2})?$/.test(v('rate')) || percent > 100, 'Write the rate as a percentage from 0 to 100, like 19 or 7.5.'],
      ['owner', !v('owner'), 'Tell us your name.'],
      ['email', !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v('email')), 'Write an e-mail address, like you@example.com.'],
      ['password', fields.password.value.length < 10, 'A password needs at least 10 characters.'],
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
      const words = { slug_taken: 'That web address is taken: choose another.', sign_up_code_invalid: 'That is not the sign-up code this service asks for.', sign_up_closed: 'This service is not taking new restaurants; ask whoever runs it.' };
      fail(where, words[problem.code] ?? problem.message);
    }
  });
  show(h('h1', {}, 'Sign up your restaurant'), h('p', {}, 'Create your restaurant and your owner\'s login; the next steps set up your menu, hours and tables.'), form);
}

/** The first category and dish, so that guests have something to order. */
function firstDishForm(slug, token, currency, done) {
  const category = h('input', { name: 'category', required: true, maxlength: 100, value: 'Mains' });
  const dish = h('input', { name: 'dish', required: true, maxlength: 100 });
  const price = h('input', { name: 'price', inputmode: 'decimal', required: true });
  const status = h('p', { role: 'status', class: 'row-status' });
  const form = h('form', { 'aria-label': 'Your first dish' }, h('h3', {}, 'Your first dish'),
    field('Category', category), field('Dish', dish), field(`Price (${currency})`, price, `Like ${amountText(1250, currency)}.`), status,
    h('button', { type: 'submit' }, 'Add the dish'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const c of [category, dish, price]) c.showError(null);
    const minor = parseAmount(price.value, currency);
    if (!category.value.trim()) return category.showError('Name the category, like Mains.');
    if (!dish.value.trim()) return dish.showError('Name the dish.');
    if (minor === null) return price.showError(`Write the price in ${currency}, like ${amountText(1250, currency)}.`);
    try {
      const menu = await api('GET', `/v1/restaurants/${slug}/menu?limit=200`);
      let found = menu.categories.find((c) => c.name.toLowerCase() === category.value.trim().toLowerCase());
      if (!found) {
        const id = idFrom(category.value, menu.categories.map((c) => c.id));
        found = (await api('POST', `/v1/restaurants/${slug}/menu/categories`, { token, body: { id, name: category.value.trim(), position: 10 } })).category;
      }
      await api('POST', `/v1/restaurants/${slug}/menu/items`, { token, body: { item: { category: found.id, name: dish.value.trim(), price: { minor, currency } } } });
      status.textContent = `${dish.value.trim()} is on the menu.`;
      done();
    } catch (problem) {
      if (problem.field?.includes('price')) price.showError(problem.message);
      else status.textContent = problem.message;
    }
  });
  return form;
}

export async function setupPage(slug) {
  const current = session(slug);
  if (!current) return loginForm(slug, 'Set up your restaurant');
  const { token } = current;
  // The restaurant as this page read it, shared by its forms (restaurant-forms.js says why).
  const shared = await api('GET', `/v1/restaurants/${slug}`);
  const { restaurant } = shared;
  const hours = hoursEditor(restaurant.hours);
  const hoursStatus = h('p', { role: 'status', class: 'row-status' });
  const hoursForm = h('form', { 'aria-label': 'Opening hours' }, h('h3', {}, 'Opening hours'), hours.element, hoursStatus, h('button', { type: 'submit' }, 'Save opening hours'));
  const hoursUnsaved = watchUnsaved(hoursForm, hoursStatus, 'Opening hours');
  hoursForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const openingHours = hours.read();
    if (!openingHours) return;
    try {
      await saveRestaurant(slug, token, shared, { hours: openingHours });
      hoursUnsaved.saved();
      hoursStatus.textContent = 'Opening hours saved.';
    } catch (problem) { hours.fail(problem.message); }
  });
  const ready = h('section', { 'aria-labelledby': 'ready-title', hidden: true },
    h('h2', { id: 'ready-title' }, 'Ready for guests'),
    h('ul', {},
      h('li', {}, h('a', { href: `/r/${slug}/` }, 'Your menu as guests see it')),
      h('li', {}, h('a', { href: `/r/${slug}/tables` }, 'Print the tables\' QR codes')),
      h('li', {}, h('a', { href: `/r/${slug}/manage` }, 'Manage the menu, staff and sales'))));
  const step = (n, title, ...content) => h('section', { class: 'step', 'aria-labelledby': `step-${n}` }, h('h2', { id: `step-${n}` }, `${n}. ${title}`), ...content);
  show(h('h1', {}, `Set up ${restaurant.name}`),
    step(1, 'The basics', basicsForm(slug, token, shared)),
    step(2, 'How guests order', servingForm(slug, token, shared), h('p', {}, h('a', { href: `/r/${slug}/tables` }, 'Print the tables\' QR codes'))),
    step(3, 'When you are open', hoursForm),
    step(4, 'Delivery', h('p', { class: 'note' }, 'If you deliver: what it costs, the least food you deliver, and where to. Leave it as it is if you do not.'),
      deliveryForm(slug, token, shared)),
    step(5, 'Bookings', bookingsForm(slug, token, shared)),
    step(6, 'A first dish', firstDishForm(slug, token, restaurant.currency, () => { ready.hidden = false; ready.scrollIntoView(); })),
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
    const picture = h('div', { class: 'qr', role: 'img', 'aria-label': `QR code for table ${table}` });
    // Four modules of white around the code, as the QR standard asks: readers find the code by it.
    picture.innerHTML = code.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
    return h('figure', { class: 'table-card', 'data-table': table }, picture, h('figcaption', {}, h('strong', {}, `Table ${table}`), h('br'), restaurant.name, h('br'), h('small', {}, url)));
  };
  show(h('h1', {}, `QR codes for ${restaurant.name}`),
    h('p', { class: 'no-print' }, 'Print this page and put each code on its table: guests scan it to order at that table. ',
      h('button', { type: 'button', onclick: () => window.print() }, 'Print')),
    restaurant.tables.length ? h('div', { class: 'table-cards' }, restaurant.tables.map(card)) : h('p', {}, 'No tables yet: add them under How guests order.'));
}
