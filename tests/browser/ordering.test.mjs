// The customer, staff and manager pages in a real browser against the local server.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { call, logIn, page, screenshot, startServer, suite } from './harness.mjs';

const SLUG = 'osteria';

const world = suite(SLUG);

async function board(errors = world.errors) {
  const context = await world.chrome.newContext();
  const tab = await page(context, errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(tab, world.logins.staff);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  return tab;
}

test('a guest orders from a table link, the board shows it at once, and the guest sees it become ready', async () => {
  const staff = await board();
  const guest = await page(await world.chrome.newContext(), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/t/7`);
  await guest.getByText('Ordering for table 7').waitFor();
  await guest.getByRole('button', { name: 'Add Pizza' }).click();
  await guest.getByLabel('Large').check();
  await guest.getByRole('button', { name: 'Add to order' }).click();
  await guest.getByTestId('cart-total').filter({ hasText: '12' }).waitFor();
  await screenshot(guest, 'customer-menu');
  await guest.getByLabel('Your name').fill('Ada');
  const order = guest.getByRole('button', { name: 'Order' });
  await order.dblclick();

  await guest.getByTestId('order-state').filter({ hasText: 'Placed' }).waitFor();
  await guest.getByRole('button', { name: 'Cancel order' }).waitFor();
  const started = Date.now();
  const ticket = staff.locator('[data-state="placed"] .ticket');
  await ticket.waitFor({ timeout: 1000 });
  assert.ok(Date.now() - started < 1000, 'the board shows the order within a second');
  assert.match(await ticket.innerText(), /Table 7/);
  await screenshot(staff, 'staff-board');

  for (const step of ['Accept', 'Start', 'Ready']) {
    await staff.locator('.ticket').getByRole('button', { name: step, exact: true }).click();
  }
  await guest.getByTestId('order-state').filter({ hasText: 'Ready' }).waitFor({ timeout: 2000 });
  assert.equal(await guest.getByRole('button', { name: 'Cancel order' }).count(), 0, 'an accepted order cannot be cancelled');
  await screenshot(guest, 'customer-order');
  await guest.reload();
  await guest.getByTestId('order-state').filter({ hasText: 'Ready' }).waitFor();

  const orders = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/orders`, { token: world.logins.owner.token });
  assert.equal(orders.orders.length, 1, 'a double click made one order');
});

test('a guest cancels an order the kitchen has not accepted, and the board says so and shows it as cancelled', async () => {
  const staff = await board();
  const guest = await page(await world.chrome.newContext(), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/t/2`);
  await guest.getByRole('button', { name: 'Add Pizza' }).click();
  await guest.getByLabel('Large').check();
  await guest.getByRole('button', { name: 'Add to order' }).click();
  await guest.getByTestId('cart-total').filter({ hasText: '12' }).waitFor();
  await guest.getByLabel('Your name').fill('Grace');
  await guest.getByRole('button', { name: 'Order' }).click();
  await staff.locator('[data-state="placed"] .ticket', { hasText: 'table 2' }).waitFor();

  await guest.getByRole('button', { name: 'Cancel order' }).click();

  await guest.getByTestId('order-state').filter({ hasText: 'Cancelled' }).waitFor();
  assert.equal(await guest.getByRole('button', { name: 'Cancel order' }).count(), 0);
  await staff.locator('[data-state="placed"] .ticket', { hasText: 'Grace' }).waitFor({ state: 'detached', timeout: 2000 });
  const number = await guest.locator('h1').innerText();
  await staff.getByTestId('cancelled-alert').filter({ hasText: `${number} was cancelled by the guest` }).waitFor();
  await staff.locator('[data-state="closed"] .ticket', { hasText: 'Grace' }).getByText('Cancelled').waitFor();
  await screenshot(staff, 'board-guest-cancelled');
});

test('a manager marks an item sold out and the customer cannot order it', async () => {
  const manager = await page(await world.chrome.newContext(), world.errors);
  await manager.goto(`${world.server.base}/r/${SLUG}/manage`);
  await logIn(manager, world.logins.owner);
  await manager.locator('li.dish[data-item="lasagne"]').getByLabel('Sold out').check();
  await manager.getByText('Lasagne is sold out').waitFor();
  await screenshot(manager, 'manager');

  const guest = await page(await world.chrome.newContext(), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/`);
  const lasagne = guest.locator('[data-item="lasagne"]');
  await lasagne.getByText('Sold out').waitFor();
  assert.equal(await lasagne.getByRole('button', { name: 'Add Lasagne' }).count(), 0);
});

test('a guest books a table and cancels the booking', async () => {
  const guest = await page(await world.chrome.newContext(), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/book`);
  await guest.getByLabel('Guests').fill('4');
  await guest.getByRole('button', { name: 'Show times' }).click();
  await guest.locator('.slot').nth(10).click();
  await guest.getByLabel('Name').fill('Grace');
  await guest.getByLabel('Phone').fill('+49 30 1234567');
  await guest.getByRole('button', { name: 'Book' }).click();
  await guest.getByTestId('booking-status').filter({ hasText: 'confirmed' }).waitFor();
  await screenshot(guest, 'booking');

  await guest.reload();
  await guest.getByRole('button', { name: 'Cancel booking' }).click();
  await guest.getByTestId('booking-status').filter({ hasText: 'cancelled' }).waitFor();
});

test('the board reconnects after the server drops its socket and shows the orders placed meanwhile', async () => {
  // While the server is down the board's reads fail, and Chromium logs each: those, and only those.
  const errors = [];
  const staff = await board(errors);
  const before = await staff.locator('.ticket').count();
  await world.server.stop({ keepData: true });
  await staff.getByTestId('connection').filter({ hasText: 'Reconnecting' }).waitFor();
  world.server = await startServer(world.server);
  for (const key of ['gap-1', 'gap-2', 'gap-3']) {
    const cart = await call(world.server.base, 'POST', `/v1/restaurants/${SLUG}/carts`);
    await call(world.server.base, 'POST', `/v1/restaurants/${SLUG}/carts/${cart.token}/lines`, { body: { item: 'pizza', choices: [{ group: 'size', option: 'regular' }], quantity: 1 } });
    await call(world.server.base, 'POST', `/v1/restaurants/${SLUG}/orders`, { key, body: { cart: cart.token, kind: { type: 'pickup' }, customer: { name: key } } });
  }

  // A slow restart may outlast the board's three quick tries: it then reads every 15 s and tries
  // the socket again after 30 s (live.js), so it is live again within that.
  await staff.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 40000 });
  await staff.locator('[data-state="placed"] .ticket').nth(2).waitFor({ timeout: 5000 });
  assert.equal(await staff.locator('.ticket').count(), before + 3);
  assert.deepEqual(errors.filter((e) => !/ERR_CONNECTION_REFUSED|WebSocket/.test(e)), []);
});

test('a manager edits an item, the opening hours and the tables', async () => {
  const manager = await page(await world.chrome.newContext(), world.errors);
  await manager.goto(`${world.server.base}/r/${SLUG}/manage`);
  await logIn(manager, world.logins.owner);
  const pizza = manager.locator('li.dish[data-item="pizza"]');
  await pizza.getByRole('button', { name: 'Edit Pizza' }).click();
  await pizza.getByLabel('Description').fill('Wood-fired, San Marzano tomatoes');
  await pizza.getByLabel('sesame').check();
  await pizza.getByRole('button', { name: 'Save item' }).click();
  await manager.getByText('Pizza saved').waitFor();
  await manager.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Settings' }).click();
  await manager.getByLabel('Tables (their labels, comma-separated)').fill('1, 2, 7, terrace-1');
  await manager.getByRole('button', { name: 'Save how guests order' }).click();
  await manager.getByText('How guests order saved.').waitFor();
  await manager.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: 'Hours and delivery' }).click();
  await manager.getByLabel('Sunday, opening 1 from').fill('12:00');
  await manager.getByLabel('Sunday, opening 1 until').fill('15:00');
  await manager.getByRole('button', { name: 'Add hours on Sunday' }).click();
  await manager.getByLabel('Sunday, opening 2 from').fill('18:00');
  await manager.getByLabel('Sunday, opening 2 until').fill('23:00');
  await manager.getByRole('button', { name: 'Save settings' }).click();
  await manager.getByText('Settings saved').waitFor();

  const { restaurant } = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`);
  assert.deepEqual(restaurant.tables, ['1', '2', '7', 'terrace-1']);
  assert.equal(restaurant.hours.weekly.sunday.length, 2);
  const guest = await page(await world.chrome.newContext(), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/t/terrace-1`);
  const item = guest.locator('[data-item="pizza"]');
  await item.getByText('Wood-fired, San Marzano tomatoes').waitFor();
  assert.match(await item.innerText(), /sesame/);
});

test('a board whose account is removed goes back to the login form and says why', async () => {
  const email = `leaver@${SLUG}.test`;
  const leaver = await call(world.server.base, 'POST', `/v1/restaurants/${SLUG}/staff`, { token: world.logins.owner.token, body: { email, name: 'Leaver', password: 'leaver password 123', role: 'staff' } });
  const context = await world.chrome.newContext();
  const tab = await page(context, world.errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(tab, { email, password: 'leaver password 123' });
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();

  await call(world.server.base, 'DELETE', `/v1/restaurants/${SLUG}/staff/${leaver.id}`, { token: world.logins.owner.token });

  await tab.getByRole('alert').filter({ hasText: 'Your login has ended' }).waitFor({ timeout: 2000 });
  await tab.getByRole('button', { name: 'Log in' }).waitFor();
  await screenshot(tab, 'staff-login-ended');
  await context.close();
});
