// What a restaurant takes, on the pages: each switch hides what it switches off on the guest's
// pages; the pace and sold-out set from the board reach a guest's open menu without a reload;
// orders for later wait in their own lane; and an offline board turns its buttons off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';

import { join } from 'node:path';

import { PHONE, call, fromThisHour, logIn, thisHour, page, screenshot, screenshots, seedRestaurant, startServer, suite } from './harness.mjs';

const SLUG = 'trattoria-switches';
const DESKTOP = { viewport: { width: 1280, height: 900 } };

const world = suite(SLUG);

/** Saves `change` over the restaurant's settings, as the manage page does. */
async function settle(change) {
  const { base } = world.server;
  const current = await call(base, 'GET', `/v1/restaurants/${SLUG}`);
  await call(base, 'PUT', `/v1/restaurants/${SLUG}`, { token: world.logins.owner.token, body: { restaurant: { ...current.restaurant, ...change }, version: current.version } });
}

const EVERYTHING = { order_kinds: { dine_in: true, pickup: true, delivery: true }, switches: { ordering: true, ahead: true, booking: true }, pace: { busy_minutes: 0 } };

async function guest(path) {
  const tab = await page(await world.chrome.newContext(PHONE), world.errors);
  await tab.goto(`${world.server.base}${path}`);
  await tab.getByRole('heading', { level: 1 }).waitFor();
  return tab;
}

async function noViolations(tab) {
  const { violations } = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
}

async function board({ clock = false } = {}) {
  const context = await world.chrome.newContext(DESKTOP);
  const tab = await page(context, world.errors);
  if (clock) await tab.clock.install();
  await tab.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(tab, world.logins.staff);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  return tab;
}

test('a menu to read only shows no Add button and no cart, and says orders are not taken online', async () => {
  await settle({ ...EVERYTHING, switches: { ordering: false, ahead: true, booking: true } });
  const tab = await guest(`/r/${SLUG}/`);

  await tab.getByTestId('menu-only').filter({ hasText: 'does not take orders online' }).waitFor();
  assert.equal(await tab.getByRole('button', { name: /^Add / }).count(), 0);
  assert.equal(await tab.locator('#cart').count(), 0);
  assert.ok(await tab.getByText('Lasagne').first().isVisible(), 'the menu is still there to read');
  assert.ok(await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Book a table' }).isVisible(), 'bookings are still taken');
  await noViolations(tab);
  await screenshot(tab, 'guest-menu-only');
  await tab.context().close();
  await settle(EVERYTHING);
});

test('with pickup switched off the checkout offers delivery only, and a table without table ordering says so', async () => {
  await settle({ ...EVERYTHING, order_kinds: { dine_in: false, pickup: false, delivery: true } });
  const tab = await guest(`/r/${SLUG}/`);
  await tab.getByRole('button', { name: 'Add Lasagne' }).click();
  await tab.getByRole('button', { name: 'Order', exact: true }).waitFor();

  const ways = tab.getByRole('group', { name: 'How would you like it?' }).getByRole('radio');
  assert.deepEqual(await ways.evaluateAll((radios) => radios.map((r) => r.value)), ['delivery']);
  const atTable = await guest(`/r/${SLUG}/t/1`);
  await atTable.getByTestId('menu-only').filter({ hasText: 'Ordering from the table is not available here' }).waitFor();
  assert.equal(await atTable.getByRole('button', { name: /^Add / }).count(), 0);
  await tab.context().close();
  await atTable.context().close();
  await settle(EVERYTHING);
});

test('with ordering ahead switched off a pickup is offered for as soon as possible only', async () => {
  await settle({ ...EVERYTHING, hours: { weekly: fromThisHour() }, switches: { ordering: true, ahead: false, booking: true } });
  const tab = await guest(`/r/${SLUG}/`);
  await tab.getByRole('button', { name: 'Add Lasagne' }).click();
  await tab.locator('#guest-when:not([disabled])').waitFor();

  const options = await tab.locator('#guest-when option').allInnerTexts();
  assert.equal(options.length, 1, options.join(' | '));
  assert.match(options[0], /As soon as possible/);
  await tab.context().close();
  await settle(EVERYTHING);
});

test('with booking switched off the menu links to no booking and the booking page says bookings are not taken online', async () => {
  await settle({ ...EVERYTHING, switches: { ordering: true, ahead: true, booking: false } });
  const tab = await guest(`/r/${SLUG}/`);
  await tab.getByRole('button', { name: 'Add Lasagne' }).waitFor();
  assert.equal(await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Book a table' }).isVisible(), false);

  await tab.goto(`${world.server.base}/r/${SLUG}/book`);
  await tab.getByTestId('no-booking').filter({ hasText: 'does not take table bookings online' }).waitFor();
  assert.equal(await tab.getByRole('button', { name: 'Show times' }).count(), 0);
  await noViolations(tab);
  await tab.context().close();
  await settle(EVERYTHING);
});

test('a pause, a busy delay and a dish sold out on the board reach a guest\'s open menu without a reload', async () => {
  const kitchen = await board();
  const tab = await page(await world.chrome.newContext(PHONE), world.errors);
  await tab.clock.install();
  await tab.goto(`${world.server.base}/r/${SLUG}/`);
  await tab.getByRole('button', { name: 'Add Lasagne' }).click();
  await tab.getByTestId('ready-in').filter({ hasText: 'Ready in about' }).waitFor();
  const usual = Number((await tab.getByTestId('ready-in').innerText()).match(/\d+/)[0]);

  await kitchen.getByTestId('pause').click();
  await kitchen.getByTestId('pace-status').filter({ hasText: 'New orders are paused until' }).waitFor();
  await tab.clock.fastForward('00:31');
  await tab.getByTestId('paused').filter({ hasText: 'not taking new orders until' }).waitFor();
  await tab.locator('#order-blocked').filter({ hasText: 'not taking new orders until' }).waitFor();
  assert.ok(await tab.getByRole('button', { name: 'Order', exact: true }).isDisabled());

  await kitchen.getByRole('button', { name: 'Take new orders again' }).click();
  await kitchen.getByLabel('Busy: promise new orders').selectOption('20');
  await kitchen.getByTestId('pace-status').filter({ hasText: 'promised 20 minutes later' }).waitFor();
  await kitchen.getByText('Sold out', { exact: true }).click();
  await kitchen.getByLabel('Pizza').check();
  await kitchen.getByTestId('sold-out-status').filter({ hasText: 'Pizza is sold out' }).waitFor();
  await tab.clock.fastForward('00:31');

  await tab.getByTestId('ready-in').filter({ hasText: `Ready in about ${usual + 20} min` }).waitFor();
  assert.equal(await tab.getByTestId('paused').count(), 0);
  await tab.locator('[data-item="pizza"]').getByText('Sold out').waitFor();
  assert.equal(await tab.getByRole('button', { name: 'Add Pizza' }).count(), 0);
  await screenshot(kitchen, 'board-pace-and-sold-out');

  await kitchen.getByLabel('Pizza').uncheck();
  await kitchen.getByTestId('sold-out-status').filter({ hasText: 'Pizza is back' }).waitFor();
  await kitchen.getByLabel('Busy: promise new orders').selectOption('0');
  await kitchen.getByTestId('pace-status').filter({ hasText: 'Taking new orders.' }).waitFor();
  await tab.context().close();
  await kitchen.context().close();
});

/** An order straight through the API: for `at` (a later slot) or as soon as possible. */
async function order(name, at) {
  const { base } = world.server;
  const cart = await call(base, 'POST', `/v1/restaurants/${SLUG}/carts`);
  await call(base, 'POST', `/v1/restaurants/${SLUG}/carts/${cart.token}/lines`, { body: { item: 'lasagne', quantity: 1 } });
  return call(base, 'POST', `/v1/restaurants/${SLUG}/orders`, { key: `lane-${name.replace(/\s/g, '-')}`, body: { cart: cart.token, kind: { type: 'pickup' }, customer: { name }, ...(at ? { at } : {}) } });
}

test('orders for later wait in their own lane, soonest due first, until their preparation should start', async () => {
  // The day starts with the opening, so slots past 05:00 stay on tonight's board when this runs at night.
  await settle({ ...EVERYTHING, hours: { weekly: fromThisHour() }, day_starts: thisHour() });
  const { slots } = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/orders/slots?kind=pickup`);
  await order('Later Two', slots[8].at);
  await order('Later One', slots[6].at);
  await order('Right Now');
  const tab = await board({ clock: true });

  await tab.locator('[data-state="later"]').getByText('Later One').waitFor();
  const lane = await tab.locator('[data-state="later"] .ticket').allInnerTexts();
  assert.equal(lane.length, 2, lane.join('\n---\n'));
  assert.match(lane[0], /Later One/, 'the sooner due first');
  assert.match(lane[1], /Later Two/);
  await tab.locator('[data-state="placed"]').getByText('Right Now').waitFor();
  await screenshot(tab, 'board-later-lane');

  // Past the later slots' start: the board's tick moves them where the kitchen works.
  await tab.clock.fastForward('04:00:00');
  await tab.locator('[data-state="placed"]').getByText('Later One').waitFor();
  assert.equal(await tab.locator('[data-state="later"] .ticket').count(), 0);
  await tab.context().close();
  await settle(EVERYTHING);
});

test('an offline board says so loudly and turns its buttons off until it is connected again', async () => {
  await order('Offline Olga');
  const tab = await board();
  const accept = tab.locator('.ticket', { hasText: 'Offline Olga' }).getByRole('button', { name: 'Accept' });
  await accept.waitFor();

  await tab.context().setOffline(true);
  await tab.getByTestId('offline').waitFor();
  assert.ok(await accept.isDisabled());
  assert.ok(await tab.getByTestId('pause').isDisabled());
  await screenshot(tab, 'board-offline');

  await tab.context().setOffline(false);
  await tab.getByTestId('offline').waitFor({ state: 'hidden' });
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  assert.ok(!(await accept.isDisabled()));
  await tab.context().close();
});

test('a deployment that holds delivery back: the manage page says it is not available yet and guests are not offered it', async () => {
  const dark = await startServer(null, { hold: 'delivery' });
  try {
    const logins = await seedRestaurant(dark.base, 'held-back');
    const manager = await page(await world.chrome.newContext(PHONE), world.errors);
    await manager.goto(`${dark.base}/r/held-back/manage/settings`);
    await logIn(manager, logins.owner);
    const delivery = manager.locator('input[name="delivery"]');
    await delivery.waitFor();
    assert.ok(await delivery.isChecked(), 'the restaurant\'s own switch is kept');
    assert.match(await manager.locator('#delivery-held').innerText(), /Not available yet/);
    await delivery.scrollIntoViewIfNeeded();
    await noViolations(manager);
    await manager.getByRole('form', { name: 'How guests order' }).screenshot({ path: join(screenshots, 'manage-held-feature.png') });

    const guestTab = await page(await world.chrome.newContext(PHONE), world.errors);
    await guestTab.goto(`${dark.base}/r/held-back/`);
    await guestTab.getByRole('button', { name: 'Add Lasagne' }).click();
    await guestTab.getByRole('button', { name: 'Order', exact: true }).waitFor();
    const ways = guestTab.getByRole('group', { name: 'How would you like it?' }).getByRole('radio');
    assert.deepEqual(await ways.evaluateAll((radios) => radios.map((r) => r.value)), ['pickup']);
    await manager.context().close();
    await guestTab.context().close();
  } finally {
    await dark.stop();
  }
});
