// The kitchen's side on a desktop: logins that end lead back to the login form, logging out,
// navigation by role, what a ticket says, announcing an order once, and Reject asking first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';

import { PHONE, call, logIn, page, screenshot, screenshots, seedRestaurant, suite } from './harness.mjs';

const SLUG = 'trattoria-kitchen';
const DESKTOP = { viewport: { width: 1280, height: 800 } };

const world = suite(SLUG);

/** A tab whose browser holds `token` for this restaurant once, as a login left open would. */
async function tabWithLogin(token, role = 'staff', errors = world.errors) {
  const context = await world.chrome.newContext(DESKTOP);
  await context.addInitScript(([slug, kept]) => {
    if (sessionStorage.getItem('test.seeded')) return;
    sessionStorage.setItem('test.seeded', '1');
    localStorage.setItem(`bistro.session.${slug}`, JSON.stringify(kept));
  }, [SLUG, { token, account: { role } }]);
  return page(context, errors);
}

/** A token shaped as the server's, with `exp` as given and a signature the server will refuse. */
function forged(exp) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'EdDSA', typ: 'JWT' })}.${part({ sub: 'x', exp })}.${Buffer.from('not a signature').toString('base64url')}`;
}

test('a second tab of the same browser is logged in already, and logging out in one logs out both', async () => {
  const context = await world.chrome.newContext(DESKTOP);
  const first = await page(context, world.errors);
  await first.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(first, world.logins.staff);
  await first.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();

  const second = await page(context, world.errors);
  await second.goto(`${world.server.base}/r/${SLUG}/staff`);
  await second.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  assert.equal(await second.getByLabel('Password').count(), 0, 'no password asked in the second tab');

  await first.getByRole('button', { name: 'Log out' }).click();
  await second.getByLabel('Password').waitFor();
  await context.close();
});

async function board(login = world.logins.staff) {
  const tab = await page(await world.chrome.newContext(DESKTOP), world.errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(tab, login);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  return tab;
}

/** A live board whose printing is counted (`window.prints`) instead of opening a print dialog. */
async function boardCountingPrints() {
  const context = await world.chrome.newContext(DESKTOP);
  await context.addInitScript(() => { window.prints = 0; window.print = () => { window.prints += 1; }; });
  const tab = await page(context, world.errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(tab, world.logins.staff);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  return tab;
}

async function order(kind, customer, key) {
  const { base } = world.server;
  const cart = await call(base, 'POST', `/v1/restaurants/${SLUG}/carts`);
  await call(base, 'POST', `/v1/restaurants/${SLUG}/carts/${cart.token}/lines`, { body: { item: 'lasagne', quantity: 1 } });
  return call(base, 'POST', `/v1/restaurants/${SLUG}/orders`, { key, body: { cart: cart.token, kind, customer } });
}

test('a login the server no longer accepts leads back to the login form, and logging in returns to the board', async () => {
  // Chromium logs the refused requests of the dead login as console errors: only 401s here.
  const errors = [];
  const tab = await tabWithLogin(forged(Math.floor(Date.now() / 1000) + 3600), 'staff', errors);

  await tab.goto(`${world.server.base}/r/${SLUG}/staff`);

  await tab.getByTestId('login-notice').filter({ hasText: 'Your login has expired. Log in again' }).waitFor();
  await screenshot(tab, 'staff-login-expired');
  await logIn(tab, world.logins.staff);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  assert.equal(new URL(tab.url()).pathname, `/r/${SLUG}/staff`, 'back where the person was');
  assert.ok(errors.length > 0 && errors.every((e) => e.includes('401')), errors.join('\n'));
});

test('a login whose time ran out shows the login form on the manage page at once', async () => {
  const tab = await tabWithLogin(forged(Math.floor(Date.now() / 1000) - 60), 'owner');

  await tab.goto(`${world.server.base}/r/${SLUG}/manage`);

  await tab.getByTestId('login-notice').filter({ hasText: 'Your login has expired' }).waitFor();
  await logIn(tab, world.logins.owner);
  await tab.getByRole('heading', { name: 'Menu', level: 1 }).waitFor();
});

test('the navigation shows only what the role may open, and logging out leads to the login form', async () => {
  const tab = await board();
  const nav = tab.getByRole('navigation', { name: 'Main' });
  assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Menu', 'Book a table', 'Orders', 'History', 'Bookings'], 'kitchen staff see no Manage');

  await nav.getByRole('button', { name: 'Log out' }).click();

  await tab.getByTestId('login-notice').filter({ hasText: 'You are logged out.' }).waitFor();
  assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Menu', 'Book a table', 'Staff']);
  await logIn(tab, world.logins.owner);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Menu', 'Book a table', 'Orders', 'History', 'Bookings', 'Manage']);
});

test('a pause from the board holds a guest\'s order with the time it ends, and taking orders again frees it', async () => {
  const tab = await board();
  await tab.getByTestId('pause').click();
  await tab.getByTestId('pace-status').filter({ hasText: 'New orders are paused until' }).waitFor();
  const guestTab = await page(await world.chrome.newContext(PHONE), world.errors);
  await guestTab.goto(`${world.server.base}/r/${SLUG}/t/1`);
  await guestTab.getByTestId('paused').filter({ hasText: 'The kitchen is not taking new orders until' }).waitFor();
  await guestTab.getByRole('button', { name: 'Add Lasagne' }).click();
  const order = guestTab.getByRole('button', { name: 'Order', exact: true });
  await order.waitFor();
  assert.ok(await order.isDisabled(), 'the Order button waits');

  await tab.getByRole('button', { name: 'Take new orders again' }).click();
  await tab.getByTestId('pace-status').filter({ hasText: 'Taking new orders.' }).waitFor();
  // A guest who opens the menu now (an open one checks the menu every 30 s) may order.
  await guestTab.context().close();
  const next = await page(await world.chrome.newContext(PHONE), world.errors);
  await next.goto(`${world.server.base}/r/${SLUG}/t/1`);
  await next.getByRole('button', { name: 'Add Lasagne' }).click();
  await next.getByRole('button', { name: 'Order', exact: true }).waitFor();
  assert.equal(await next.getByTestId('paused').count(), 0);
  assert.ok(!(await next.getByRole('button', { name: 'Order', exact: true }).isDisabled()));
  await next.context().close();
  await tab.context().close();
});

test('a delivery ticket shows the address, the phone, when it was placed, its age and its promised time', async () => {
  const tab = await board();
  const placed = await order({ type: 'delivery', address: 'Schönhauser Allee 12\n10119 Berlin' }, { name: 'Lin', phone: '+49 30 555 0101' }, 'delivery-ticket');

  const ticket = tab.locator(`[data-order="${placed.order.id}"]`);
  await ticket.waitFor();
  const text = await ticket.innerText();
  assert.match(text, /Schönhauser Allee 12\s+10119 Berlin/);
  assert.match(text, /Lin · \+49 30 555 0101/);
  assert.match(await ticket.getByTestId('age').innerText(), /^Placed \d\d:\d\d( [AP]M)? · just now$/);
  assert.match(await ticket.getByTestId('promise').innerText(), /^Due \w+ \d\d:\d\d/);
  assert.equal(await ticket.getByRole('link', { name: '+49 30 555 0101' }).getAttribute('href'), 'tel:+49305550101');
  await screenshot(tab, 'board-delivery-ticket');
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the board');
});

test('a ticket turns amber and then red after the minutes the restaurant set', async () => {
  const { base } = world.server;
  const token = world.logins.owner.token;
  const current = await call(base, 'GET', `/v1/restaurants/${SLUG}`);
  const restaurant = { ...current.restaurant, ticket_alerts: { amber_minutes: 3, red_minutes: 6 } };
  await call(base, 'PUT', `/v1/restaurants/${SLUG}`, { token, body: { restaurant, version: current.version } });
  const context = await world.chrome.newContext(DESKTOP);
  const tab = await page(context, world.errors);
  await tab.clock.install();
  await tab.goto(`${base}/r/${SLUG}/staff`);
  await logIn(tab, world.logins.staff);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  const placed = await order({ type: 'dine_in', table: '2' }, { name: 'Ines' }, 'ageing-ticket');
  const ticket = tab.locator(`[data-order="${placed.order.id}"]`);
  await ticket.waitFor();
  assert.doesNotMatch(await ticket.getAttribute('class'), /due-soon|late/);

  await tab.clock.fastForward('03:30');
  await tab.locator(`[data-order="${placed.order.id}"].due-soon`).waitFor();
  await tab.clock.fastForward('03:00');
  await tab.locator(`[data-order="${placed.order.id}"].late`).waitFor();
  await screenshot(tab, 'board-ticket-red');
  await call(base, 'POST', `/v1/restaurants/${SLUG}/orders/${placed.order.id}/transitions`, { token, body: { to: 'rejected' } });
});

test('a new order is announced once, and a reload does not announce it again', async () => {
  const context = await world.chrome.newContext(DESKTOP);
  // Count the tones the board plays instead of playing them.
  await context.addInitScript(() => {
    window.tones = 0;
    window.AudioContext = class {
      constructor() { this.destination = {}; this.currentTime = 0; }
      createOscillator() { return { connect() {}, frequency: {}, start() { window.tones += 1; }, stop() {} }; }
    };
  });
  const tab = await page(context, world.errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(tab, world.logins.staff);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  await new Promise((r) => setTimeout(r, 1100));
  const before = await tab.evaluate(() => window.tones);

  const placed = await order({ type: 'pickup' }, { name: 'Announced Once' }, 'announce-once');
  await tab.locator(`[data-order="${placed.order.id}"].new`).waitFor();
  assert.equal(await tab.evaluate(() => window.tones) - before, 1, 'one tone for the new order');

  await tab.reload();
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  await tab.locator(`[data-order="${placed.order.id}"]`).waitFor();
  assert.equal(await tab.evaluate(() => window.tones), 0, 'no tone on reload');
  assert.equal(await tab.locator(`[data-order="${placed.order.id}"].new`).count(), 0, 'not marked new again');
});

test('Reject asks before it rejects, and the guest sees the reason given', async () => {
  const tab = await board();
  const placed = await order({ type: 'pickup' }, { name: 'Maybe Rejected' }, 'reject-ask');
  const guest = await page(await world.chrome.newContext({ viewport: { width: 390, height: 844 }, isMobile: true }), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/order/${placed.order.id}?token=${placed.token}`);
  await guest.getByText('Live updates on').waitFor();
  const ticket = tab.locator(`[data-order="${placed.order.id}"]`);

  await ticket.getByRole('button', { name: 'Reject' }).click();

  await ticket.getByText(`Reject order #${placed.order.number}? The guest is told at once.`).waitFor();
  await ticket.getByRole('button', { name: 'Keep it' }).click();
  await tab.locator('[data-state="placed"]').locator(`[data-order="${placed.order.id}"]`).getByRole('button', { name: 'Reject' }).click();
  await tab.getByLabel('Reason for the guest (optional)').fill('We are out of lasagne tonight.');
  await tab.getByRole('button', { name: 'Yes, reject' }).click();
  await tab.locator('[data-state="closed"]').locator(`[data-order="${placed.order.id}"]`).getByText('Rejected', { exact: true }).waitFor();
  await guest.getByTestId('reason').filter({ hasText: 'The restaurant could not take your order: We are out of lasagne tonight.' }).waitFor();
  await screenshot(guest, 'guest-order-rejected');
});

test('a manager assigns a driver from the board, and the driver takes the delivery out and delivers it', async () => {
  const { base } = world.server;
  const owner = world.logins.owner.token;
  await call(base, 'POST', `/v1/restaurants/${SLUG}/staff`, { token: owner, body: { email: `dan@${SLUG}.test`, name: 'Dan', password: 'driver password 123', role: 'driver' } });
  const placed = await order({ type: 'delivery', address: 'Torstraße 1\n10119 Berlin' }, { name: 'Mia', phone: '+49 30 555 0202' }, 'to-a-driver');
  for (const to of ['accepted', 'preparing', 'ready']) {
    await call(base, 'POST', `/v1/restaurants/${SLUG}/orders/${placed.order.id}/transitions`, { token: owner, body: { to } });
  }
  const manager = await board(world.logins.owner);
  const ticket = manager.locator(`[data-order="${placed.order.id}"]`);
  await ticket.getByLabel('Driver').selectOption({ label: 'Dan' });
  await manager.getByText(`Order #${placed.order.number} goes with Dan`).waitFor();

  const driver = await page(await world.chrome.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }), world.errors);
  await driver.goto(`${base}/r/${SLUG}/staff`);
  await logIn(driver, { email: `dan@${SLUG}.test`, password: 'driver password 123' });
  const delivery = driver.locator(`[data-order="${placed.order.id}"]`);
  await delivery.waitFor();
  assert.equal(new URL(driver.url()).pathname, `/r/${SLUG}/driver`, 'a driver lands on their deliveries');
  assert.match(await delivery.innerText(), /Torstraße 1\s+10119 Berlin/);
  assert.match(await delivery.getByRole('link', { name: 'Open in a map' }).getAttribute('href'), /openstreetmap\.org\/search\?query=Torstra/);
  await screenshot(driver, 'driver-deliveries');
  const results = await new AxeBuilder({ page: driver }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the driver view');

  await delivery.getByRole('button', { name: 'Out for delivery' }).click();
  await delivery.getByRole('button', { name: 'Delivered' }).click();

  await driver.getByText('No deliveries for you right now.').waitFor();
  await manager.locator(`[data-order="${placed.order.id}"]`).waitFor({ state: 'detached' });
  const stored = await call(base, 'GET', `/v1/restaurants/${SLUG}/orders/${placed.order.id}`, { token: owner });
  assert.equal(stored.state, 'completed');
});

test('a cook gives a delivery to a driver from the board, which names the driver; the driver sees when it is due, its choices and notes, and takes one that waits', async () => {
  const { base } = world.server;
  const owner = world.logins.owner.token;
  await call(base, 'POST', `/v1/restaurants/${SLUG}/staff`, { token: owner, body: { email: `eve@${SLUG}.test`, name: 'Eve', password: 'driver password 123', role: 'driver' } });
  const withChoices = async (key, name) => {
    const cart = await call(base, 'POST', `/v1/restaurants/${SLUG}/carts`);
    await call(base, 'POST', `/v1/restaurants/${SLUG}/carts/${cart.token}/lines`, { body: { item: 'pizza', quantity: 1, choices: [{ group: 'size', option: 'large' }], note: 'no basil' } });
    return call(base, 'POST', `/v1/restaurants/${SLUG}/orders`, { key, body: { cart: cart.token, kind: { type: 'delivery', address: 'Invalidenstr. 9\n10115 Berlin' }, customer: { name, phone: '+49 30 555 0303' } } });
  };
  const given = await withChoices('given-by-cook', 'Given Gus');
  const waiting = await withChoices('waits-for-eve', 'Waiting Wim');
  const cook = await board();
  await cook.locator(`[data-order="${given.order.id}"]`).getByLabel('Driver').selectOption({ label: 'Eve' });
  await cook.getByText(`Order #${given.order.number} goes with Eve`).waitFor();

  const driver = await page(await world.chrome.newContext(PHONE), world.errors);
  await driver.goto(`${base}/r/${SLUG}/driver`);
  await logIn(driver, { email: `eve@${SLUG}.test`, password: 'driver password 123' });
  const mine = driver.locator('.deliveries').first().locator(`[data-order="${given.order.id}"]`);
  await mine.waitFor();
  assert.match(await mine.getByTestId('promise').innerText(), /^Due /);
  assert.match(await mine.innerText(), /1 × Pizza \(Large\) — no basil/);
  const other = driver.getByTestId('waiting').locator(`[data-order="${waiting.order.id}"]`);
  await other.getByRole('button', { name: `Take #${waiting.order.number}` }).click();
  await driver.locator('.deliveries').first().locator(`[data-order="${waiting.order.id}"]`).waitFor();
  await other.waitFor({ state: 'detached' });
  await screenshot(driver, 'driver-list');
  const results = await new AxeBuilder({ page: driver }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the driver list');

  for (const to of ['accepted', 'preparing', 'ready']) {
    await call(base, 'POST', `/v1/restaurants/${SLUG}/orders/${waiting.order.id}/transitions`, { token: owner, body: { to } });
  }
  await driver.locator(`[data-order="${waiting.order.id}"]`).getByRole('button', { name: 'Out for delivery' }).click();
  await cook.locator(`[data-order="${waiting.order.id}"]`).getByText('Driver: Eve').waitFor();
  await driver.context().close();
  await cook.context().close();
});

test('the board and the driver\'s list speak German to a German browser, with no key or English word left, and axe finds nothing', async () => {
  const { base } = world.server;
  await order({ type: 'delivery', address: 'Torstraße 9\n10119 Berlin' }, { name: 'Greta', phone: '+49 30 555 0404' }, 'auf-deutsch');
  const context = await world.chrome.newContext({ ...DESKTOP, locale: 'de-DE' });
  const tab = await page(context, world.errors);
  await tab.goto(`${base}/r/${SLUG}/staff`);
  await tab.getByRole('button', { name: 'Anmelden' }).waitFor();
  await tab.getByLabel('E-Mail').fill(world.logins.staff.email);
  await tab.getByLabel('Passwort').fill(world.logins.staff.password);
  await tab.getByRole('button', { name: 'Anmelden' }).click();
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  await tab.getByRole('heading', { name: 'Bestellungen', level: 1 }).waitFor();
  await tab.locator('.ticket', { hasText: 'Greta' }).getByRole('button', { name: 'Annehmen' }).waitFor();

  const text = await tab.locator('body').innerText();
  assert.doesNotMatch(text, /\b(staff|state|error|booking)\.[a-z_.]+/, 'no key shown');
  for (const english of ['Orders', 'Pause new orders', 'Placed', 'Accept', 'Sold out', 'Sound for new orders', 'Log out', 'min ago', 'just now', 'Due ']) {
    assert.ok(!text.includes(english), `"${english}" is not German`);
  }
  assert.match(text, /Neue Bestellungen pausieren/);
  assert.match(text, /Bestellt \d/);
  await screenshot(tab, 'board-german');
  const { violations } = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the German board');
  for (const [link, heading] of [['Verlauf', 'Bestellverlauf'], ['Reservierungen', 'Reservierungen']]) {
    await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
    await tab.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await tab.locator('main table, main p').first().waitFor();
    const shown = await tab.locator('main').innerText();
    assert.doesNotMatch(shown, /\b(mgr|staff|state|error|booking)\.[a-z_.]+/, `no key on ${heading}`);
    for (const english of ['Orders', 'Placed', 'Guest', 'Total', 'covers', 'Find', 'Day ']) assert.ok(!shown.includes(english), `"${english}" on ${heading}`);
    const found = await new AxeBuilder({ page: tab }).analyze();
    assert.deepEqual(found.violations.map((v) => v.id), [], `axe on ${heading}`);
  }
  await context.close();
});

test('the history lists a day\'s orders in every state with totals per state, finds one by name, and shows another day', async () => {
  const { base } = world.server;
  const kept = await order({ type: 'pickup' }, { name: 'History Ada' }, 'history-kept');
  const dropped = await order({ type: 'pickup' }, { name: 'History Bo' }, 'history-dropped');
  await call(base, 'POST', `/v1/restaurants/${SLUG}/orders/${dropped.order.id}/cancel?token=${dropped.token}`);
  const tab = await board();

  await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();

  const totals = tab.getByTestId('state-totals');
  await totals.waitFor();
  assert.match(await totals.locator('tr[data-state="cancelled"]').innerText(), /Cancelled\s+\d+\s+€\d+\.\d\d/);
  assert.match(await totals.locator('tr[data-state="placed"]').innerText(), /Placed\s+\d+/);
  await tab.getByLabel('Find').fill('history ada');
  assert.deepEqual(await tab.getByTestId('history').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.order)), [kept.order.id]);
  await tab.getByLabel('Find').fill(`#${dropped.order.number}`);
  assert.match(await tab.getByTestId('history').locator('tbody').innerText(), /History Bo\s+Cancelled/);
  await screenshot(tab, 'history');
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the history');

  // The day before the one shown: the restaurant's day changes at 05:00, so from midnight until
  // then the page shows the calendar's yesterday.
  const shown = await tab.getByLabel('Day').inputValue();
  const dayBefore = new Date(Date.parse(`${shown}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  await tab.getByLabel('Day').fill(dayBefore);
  await tab.getByText('No orders on that day.').waitFor();
});

test('the history of an earlier day lists that day\'s orders and totals, and today\'s does not', async () => {
  const { base } = world.server;
  const slug = 'kitchen-earlier';
  const logins = await seedRestaurant(base, slug);
  const dayStarts = async (time) => {
    const current = await call(base, 'GET', `/v1/restaurants/${slug}`);
    await call(base, 'PUT', `/v1/restaurants/${slug}`, { token: logins.owner.token, body: { restaurant: { ...current.restaurant, day_starts: time }, version: current.version } });
  };
  // The clock cannot be moved on the server: with the day changing at 23:59, orders placed now
  // belong to the day before; then the day changes at midnight again, and they are an earlier
  // day's. In the last minute of a Berlin day, wait for the next.
  while (new Date().toLocaleTimeString('en-GB', { timeZone: 'Europe/Berlin' }) >= '23:59') await new Promise((r) => setTimeout(r, 1000));
  await dayStarts('23:59');
  const placeOne = async (name, key) => {
    const cart = await call(base, 'POST', `/v1/restaurants/${slug}/carts`);
    await call(base, 'POST', `/v1/restaurants/${slug}/carts/${cart.token}/lines`, { body: { item: 'lasagne', quantity: 1 } });
    return call(base, 'POST', `/v1/restaurants/${slug}/orders`, { key, body: { cart: cart.token, kind: { type: 'pickup' }, customer: { name } } });
  };
  const first = await placeOne('Earlier Eve', 'earlier-1');
  const second = await placeOne('Earlier Finn', 'earlier-2');
  await call(base, 'POST', `/v1/restaurants/${slug}/orders/${second.order.id}/cancel?token=${second.token}`);
  await dayStarts('00:00');
  const tab = await page(await world.chrome.newContext(DESKTOP), world.errors);
  await tab.goto(`${base}/r/${slug}/history`);
  await logIn(tab, logins.staff);
  await tab.getByText('No orders on that day.').waitFor();

  await tab.getByLabel('Day').fill(first.order.business_date);

  const rows = tab.getByTestId('history').locator('tbody tr');
  await rows.first().waitFor();
  assert.deepEqual((await rows.evaluateAll((all) => all.map((r) => r.dataset.order))).sort(), [first.order.id, second.order.id].sort());
  const totals = tab.getByTestId('state-totals');
  assert.match(await totals.locator('tr[data-state="placed"]').innerText(), /Placed\s+1\s+€13\.00/);
  assert.match(await totals.locator('tr[data-state="cancelled"]').innerText(), /Cancelled\s+1\s+€13\.00/);
  await screenshot(tab, 'history-earlier-day');
});

test('tomorrow\'s booking is in that day\'s view and the week\'s covers, and is seated from it', async () => {
  const { base } = world.server;
  const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Berlin' });
  const { slots } = await call(base, 'GET', `/v1/restaurants/${SLUG}/reservations/slots?date=${tomorrow}&party=3`);
  await call(base, 'POST', `/v1/restaurants/${SLUG}/reservations`, { key: 'tomorrow-booking', body: { starts_at: slots[10].starts_at, party: 3, contact: { name: 'Tomorrow Kim', phone: '+49 30 555 0303' } } });
  const tab = await board();
  await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bookings' }).click();

  const day = tab.getByTestId('week').getByRole('button', { name: /3 covers, 1 booking$/ });
  await day.click();

  const row = tab.getByTestId('bookings').locator('tr', { hasText: 'Tomorrow Kim' });
  await row.waitFor();
  assert.match(await row.innerText(), /\d\d:\d\d.*\s+3\s+Tomorrow Kim · \+49 30 555 0303/s);
  assert.equal(await row.getByRole('button', { name: /No-show/ }).count(), 0, 'not a no-show before the time');
  await screenshot(tab, 'bookings-day');
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the bookings');
  await row.getByRole('button', { name: 'Seated: Tomorrow Kim' }).click();
  await tab.getByTestId('bookings').locator('tr', { hasText: 'Tomorrow Kim' }).getByText('Seated', { exact: true }).waitFor();
});

test('a ticket prints alone on an 80 mm kitchen printer, with its lines and notes', async () => {
  const tab = await boardCountingPrints();
  const { base } = world.server;
  const cart = await call(base, 'POST', `/v1/restaurants/${SLUG}/carts`);
  await call(base, 'POST', `/v1/restaurants/${SLUG}/carts/${cart.token}/lines`, { body: { item: 'pizza', choices: [{ group: 'size', option: 'large' }], quantity: 2, note: 'well done' } });
  const placed = await call(base, 'POST', `/v1/restaurants/${SLUG}/orders`, { key: 'printed', body: { cart: cart.token, kind: { type: 'dine_in', table: '7' }, customer: { name: 'Printed Pat' } } });

  await tab.locator(`[data-order="${placed.order.id}"]`).getByRole('button', { name: `Print #${placed.order.number}` }).click();

  assert.equal(await tab.evaluate(() => window.prints), 1);
  const pdf = join(screenshots, 'ticket-80mm.pdf');
  mkdirSync(screenshots, { recursive: true });
  await tab.pdf({ path: pdf, width: '80mm', height: '200mm', printBackground: false });
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  assert.match(text, new RegExp(`#${placed.order.number}\\s+Table 7`));
  assert.match(text, /2 × Pizza \(Large\)/);
  assert.match(text, /well done/);
  assert.doesNotMatch(text, /Accept|Reject|Orders|Sound/, 'only the ticket, no buttons or page');
});

test('with printing on arrival switched on, a new ticket prints itself once', async () => {
  const tab = await boardCountingPrints();
  await tab.getByLabel('Print new tickets as they arrive').check();

  const placed = await order({ type: 'pickup' }, { name: 'Auto Printed' }, 'auto-printed');

  await tab.locator(`[data-order="${placed.order.id}"]`).waitFor();
  assert.equal(await tab.evaluate(() => window.prints), 1);
  assert.match(await tab.locator('#print-slip').innerText(), /Auto Printed/);
  await tab.getByLabel('Print new tickets as they arrive').uncheck();
});
