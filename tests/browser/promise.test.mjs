// Promised times on a phone: how soon an order will be ready, a later pickup slot and its cap,
// ordering ahead while the restaurant is closed, and the promised time on the guest's order page
// and on the kitchen's ticket.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';

import { call, fromThisHour, logIn, page, screenshot, seedClosedRestaurant, suite } from './harness.mjs';

const SLUG = 'trattoria-later';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const world = suite(SLUG);

/** Pickups take 25 minutes here, and each 15-minute slot takes one order (set once, by the first guest). */
let timed = null;
function timing() {
  timed ??= (async () => {
    const { base } = world.server;
    const current = await call(base, 'GET', `/v1/restaurants/${SLUG}`);
    const hours = { ...current.restaurant.hours, weekly: fromThisHour() };
    const restaurant = { ...current.restaurant, hours, timing: { dine_in_minutes: 10, pickup_minutes: 25, delivery_minutes: 45, slot_minutes: 15, orders_per_slot: 1 } };
    await call(base, 'PUT', `/v1/restaurants/${SLUG}`, { token: world.logins.owner.token, body: { restaurant, version: current.version } });
  })();
  return timed;
}

async function guest(path, errors = world.errors) {
  await timing();
  const tab = await page(await world.chrome.newContext(PHONE), errors);
  await tab.goto(`${world.server.base}${path}`);
  return tab;
}

async function checkoutWithLasagne(tab) {
  await tab.getByRole('button', { name: 'Add Lasagne' }).click();
  await tab.locator('[data-item="lasagne"]').getByText('Added Lasagne').waitFor();
  await tab.getByLabel('When?').waitFor();
  await tab.locator('#guest-when:not([disabled])').waitFor();
}

/** The later slots offered now, as the API lists them. */
const offered = async () => { await timing(); return call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/orders/slots?kind=pickup`); };

/** Takes the slot's one place with an order placed straight through the API. */
async function takeSlot(at, key) {
  const { base } = world.server;
  const cart = await call(base, 'POST', `/v1/restaurants/${SLUG}/carts`);
  await call(base, 'POST', `/v1/restaurants/${SLUG}/carts/${cart.token}/lines`, { body: { item: 'lasagne', quantity: 1 } });
  await call(base, 'POST', `/v1/restaurants/${SLUG}/orders`, { key, body: { cart: cart.token, kind: { type: 'pickup' }, customer: { name: 'Lin' }, at } });
}

test('a guest sees how soon a pickup is ready, orders it for a later time, and the kitchen ticket shows that time', async () => {
  const staff = await page(await world.chrome.newContext(), world.errors);
  await staff.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(staff, world.logins.staff);
  await staff.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  const tab = await guest(`/r/${SLUG}/`);
  await checkoutWithLasagne(tab);
  assert.equal(await tab.getByTestId('ready-in').innerText(), 'Ready in about 25 min');

  const when = tab.getByLabel('When?');
  const later = await when.locator('option').nth(3);
  const time = await later.innerText();
  await when.selectOption({ index: 3 });
  assert.equal(await tab.getByTestId('ready-in').innerText(), `Ready at ${time}`);
  await tab.getByLabel('Your name').fill('Ada');
  await tab.getByRole('button', { name: 'Order', exact: true }).click();

  await tab.getByTestId('promise').filter({ hasText: `Pickup at ${time}` }).waitFor();
  const ticket = staff.locator('.ticket', { hasText: 'Ada' });
  await ticket.getByTestId('promise').filter({ hasText: 'Pickup at' }).waitFor({ timeout: 2000 });
  assert.match(await ticket.getByTestId('promise').innerText(), /ordered ahead/);
  await screenshot(tab, 'guest-order-later');
  await screenshot(staff, 'board-ticket-later');
});

test('a later slot that took its last order is shown as full and cannot be chosen', async () => {
  const { slots } = await offered();
  const free = slots.filter((slot) => !slot.full);
  await takeSlot(free[1].at, 'full-slot');

  const tab = await guest(`/r/${SLUG}/`);
  await checkoutWithLasagne(tab);

  const full = tab.locator('#guest-when option[disabled]');
  assert.ok(await full.count() >= 1);
  assert.ok((await full.allInnerTexts()).some((text) => text.endsWith('(full)')));
  await screenshot(tab, 'guest-slot-full');
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => v.id), [], 'axe on the checkout with its times');
});

test('a slot taken while the guest was choosing is refused next to the time, and the guest picks another', async () => {
  // Chromium logs every refused request as a console error: here exactly one, the order's 409.
  const errors = [];
  const tab = await guest(`/r/${SLUG}/`, errors);
  await checkoutWithLasagne(tab);
  const when = tab.getByLabel('When?');
  const values = await when.locator('option:not([disabled])').evaluateAll((options) => options.map((o) => o.value));
  const chosen = values.find(Boolean);
  await when.selectOption(chosen);
  await takeSlot(chosen, 'snatched');
  await tab.getByLabel('Your name').fill('Grace');

  await tab.getByRole('button', { name: 'Order', exact: true }).click();

  await tab.locator('#when-error').filter({ hasText: 'That time has just filled up. Please choose another.' }).waitFor();
  await tab.locator(`#guest-when option[value="${chosen}"][disabled]`).waitFor({ state: 'attached' });
  assert.notEqual(await when.inputValue(), chosen, 'another time is chosen for the guest');
  await screenshot(tab, 'guest-slot-taken');
  await tab.getByRole('button', { name: 'Order', exact: true }).click();
  await tab.getByTestId('order-state').filter({ hasText: 'Placed' }).waitFor();
  assert.deepEqual(errors, ['Failed to load resource: the server responded with a status of 409 (Conflict)']);
});

test('a closed restaurant takes a pickup for its next opening, and a table still waits', async () => {
  await seedClosedRestaurant(world.server.base, 'ahead', 'Order Ahead');

  const tab = await guest('/r/ahead/');
  await tab.getByRole('button', { name: 'Add Soup' }).click();
  await tab.locator('#guest-when:not([disabled])').waitFor();
  const options = await tab.locator('#guest-when option').allInnerTexts();
  assert.ok(!options.some((o) => o.startsWith('As soon as possible')), options.join(' | '));
  const weekday = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Berlin', weekday: 'long' }).format(new Date(Date.now() + 2 * 86_400_000));
  assert.ok(options[0].startsWith(weekday), `${options[0]} is on ${weekday}`);
  await tab.getByLabel('Your name').fill('Ada');
  await tab.getByRole('button', { name: 'Order', exact: true }).click();
  await tab.getByTestId('promise').filter({ hasText: `Pickup at ${options[0]}` }).waitFor();
  await screenshot(tab, 'guest-order-ahead');

  const table = await guest('/r/ahead/t/1');
  await table.getByRole('button', { name: 'Add Soup' }).click();
  await table.getByText('The restaurant is closed right now, so it cannot take orders.').waitFor();
  assert.ok(await table.getByRole('button', { name: 'Order', exact: true }).isDisabled());
});
