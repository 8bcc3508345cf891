// A new restaurant from sign-up to its first order through the pages alone: the owner signs up,
// the setup walks through the basics, tables, hours and a first dish, the tables' QR codes
// print, and a guest at a table orders the dish. No API call is made outside the pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';

import { PHONE, call, page, screenshot, suite } from './harness.mjs';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const world = suite('signup-unused');

async function noViolations(tab, view) {
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `axe on the ${view}`);
}

async function noWiderThanThePhone(tab, view) {
  const width = await tab.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the ${view} is ${width} px wide`);
}

test('a restaurant signs up, sets itself up, prints its QR codes, and a guest orders its first dish', async () => {
  const owner = await page(await world.chrome.newContext(PHONE), world.errors);
  await owner.goto(`${world.server.base}/`);
  await owner.getByRole('link', { name: 'Sign up your restaurant' }).click();
  await owner.getByLabel('Name', { exact: true }).fill('Trattoria Nuova');
  assert.equal(await owner.getByLabel('Web address').inputValue(), 'trattoria-nuova');
  await owner.getByLabel('Time zone').selectOption('Europe/Berlin');
  await owner.getByLabel('Currency').selectOption('EUR');
  await owner.getByLabel('Tax rate (%)').fill('19');
  await owner.getByLabel('Your name').fill('Nina Nuova');
  await owner.getByLabel('E-mail').fill('nina@nuova.test');
  await owner.getByLabel('Password').fill('short');
  await owner.getByRole('button', { name: 'Create the restaurant' }).click();
  await owner.getByText('A password needs at least 10 characters.').waitFor();
  await noViolations(owner, 'sign-up page');
  await noWiderThanThePhone(owner, 'sign-up page');
  await screenshot(owner, 'signup');
  await owner.getByLabel('Password').fill('nuova password 2026');
  await owner.getByRole('button', { name: 'Create the restaurant' }).click();

  await owner.getByRole('heading', { name: 'Set up Trattoria Nuova' }).waitFor();
  const basics = owner.getByRole('form', { name: 'Your restaurant' });
  await basics.getByLabel('Address (on guests\' receipts)').fill('Via Nuova 1\n10115 Berlin');
  // Saving another section first leaves this one as typed, and says it is not saved yet.
  const bookingsSection = owner.getByRole('form', { name: 'Bookings' });
  await bookingsSection.getByRole('button', { name: 'Save bookings' }).click();
  await bookingsSection.getByText('Bookings saved.').waitFor();
  await basics.getByText('Your restaurant: not saved yet.').waitFor();
  assert.equal(await basics.getByLabel('Address (on guests\' receipts)').inputValue(), 'Via Nuova 1\n10115 Berlin');
  await basics.getByRole('button', { name: 'Save your restaurant' }).click();
  await basics.getByText('Your restaurant saved.').waitFor();
  const serving = owner.getByRole('form', { name: 'How guests order' });
  await serving.getByLabel('Tables (their labels, comma-separated)').fill('1, 2, Terrace 3');
  await serving.getByRole('button', { name: 'Save how guests order' }).click();
  await serving.getByText('Not a table label: terrace 3.').waitFor();
  await serving.getByLabel('Tables (their labels, comma-separated)').fill('1, 2, terrace-3');
  await serving.getByRole('button', { name: 'Save how guests order' }).click();
  await serving.getByText('How guests order saved.').waitFor();
  const terms = owner.getByRole('form', { name: 'Delivery terms' });
  await terms.getByLabel('Delivery fee (0 for free) (EUR)').fill('3');
  await terms.getByLabel('Postcodes delivered to (comma-separated; empty for anywhere)').fill('10115, 10117');
  await terms.getByRole('button', { name: 'Save delivery terms' }).click();
  await terms.getByText('Delivery terms saved.').waitFor();
  const { restaurant: set } = await call(world.server.base, 'GET', '/v1/restaurants/trattoria-nuova');
  assert.deepEqual(set.delivery, { fee: 300, minimum: 0, postcodes: ['10115', '10117'] });
  // Open around the clock, so that the guest below can order whenever the test runs.
  const hours = owner.getByRole('form', { name: 'Opening hours' });
  for (const day of DAYS) {
    await hours.getByLabel(`${day}, opening 1 from`).fill('00:00');
    await hours.getByLabel(`${day}, opening 1 until`).fill('00:00');
  }
  await hours.getByRole('button', { name: 'Save opening hours' }).click();
  await hours.getByText('Opening hours saved.').waitFor();
  const dish = owner.getByRole('form', { name: 'Your first dish' });
  await dish.getByLabel('Dish').fill('Margherita');
  await dish.getByLabel('Price (EUR)').fill('9.50');
  await dish.getByRole('button', { name: 'Add the dish' }).click();
  await dish.getByText('Margherita is on the menu.').waitFor();
  await owner.getByRole('heading', { name: 'Ready for guests' }).waitFor();
  await noViolations(owner, 'setup page');
  await noWiderThanThePhone(owner, 'setup page');
  await screenshot(owner, 'setup');

  await owner.getByRole('link', { name: 'Print the tables\' QR codes' }).last().click();
  const cards = owner.locator('.table-card');
  await cards.first().waitFor();
  assert.deepEqual(await cards.evaluateAll((all) => all.map((c) => c.dataset.table)), ['1', '2', 'terrace-3']);
  assert.match(await cards.nth(1).innerText(), /Table 2\s+Trattoria Nuova\s+http:\/\/127\.0\.0\.1:\d+\/r\/trattoria-nuova\/t\/2/);
  assert.equal(await cards.locator('svg').count(), 3);
  await noViolations(owner, 'QR sheet');
  await screenshot(owner, 'tables-qr-sheet');

  const guest = await page(await world.chrome.newContext(PHONE), world.errors);
  await guest.goto(`${world.server.base}/r/trattoria-nuova/t/2`);
  await guest.getByText('Ordering for table 2').waitFor();
  await guest.getByRole('button', { name: 'Add Margherita' }).click();
  await guest.getByLabel('Your name').fill('Gianni');
  await guest.getByRole('button', { name: 'Order', exact: true }).click();
  await guest.getByTestId('order-state').filter({ hasText: 'Placed' }).waitFor();
  assert.match(await guest.locator('.receipt').innerText(), /Via Nuova 1\s+10115 Berlin[\s\S]*1 × Margherita\s+€9\.50[\s\S]*Included tax 19%/);
});
