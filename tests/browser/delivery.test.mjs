// Delivery terms from the manager's settings to the guest's receipt: the manager sets a fee, a
// minimum of food and the postcodes in the form; a guest on a phone is told the minimum before
// ordering, is refused a postcode outside them next to that field, and pays the fee as a line
// of its own on the order page and the receipt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';

import { PHONE, call, managerOnPhone, page, screenshot, suite } from './harness.mjs';

const SLUG = 'osteria-delivery';

const world = suite(SLUG);

async function noViolations(tab, view) {
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `axe on the ${view}`);
}

test('the manager sets the delivery fee, minimum and postcodes in the settings form', async () => {
  const tab = await managerOnPhone(world, SLUG, world.errors, 'hours');
  await tab.getByLabel('Delivery fee (0 for free) (EUR)').fill('2,50');
  await tab.getByLabel('Least food a delivery is taken for (0 for any) (EUR)').fill('15');
  await tab.getByLabel('Postcodes delivered to (comma-separated; empty for anywhere)').fill('10435, 10437, Berlin Mitte');
  await tab.getByRole('button', { name: 'Save settings' }).click();
  await tab.locator('#postcodes-error').filter({ hasText: 'Not a postcode: Berlin Mitte.' }).waitFor();
  assert.equal(await tab.evaluate(() => document.activeElement?.id), 'settings-postcodes');

  await tab.getByLabel('Postcodes delivered to (comma-separated; empty for anywhere)').fill('10435, 10437');
  await tab.getByRole('button', { name: 'Save settings' }).click();
  await tab.getByText('Settings saved').waitFor();

  const { restaurant } = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`);
  assert.deepEqual(restaurant.delivery, { fee: 250, minimum: 1500, postcodes: ['10435', '10437'] });
  await screenshot(tab, 'manage-delivery-terms');
});

test('a delivery fee beyond what can be charged is refused beside the fee, and nothing is saved', async () => {
  const tab = await managerOnPhone(world, SLUG, world.errors, 'hours');
  const before = (await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`)).restaurant.delivery;
  await tab.getByLabel('Delivery fee (0 for free) (EUR)').fill('1000000.01');
  await tab.getByRole('button', { name: 'Save settings' }).click();

  await tab.locator('#delivery_fee-error').filter({ hasText: 'At most €1,000,000.00.' }).waitFor();
  assert.equal(await tab.evaluate(() => document.activeElement?.id), 'settings-delivery_fee');
  await screenshot(tab, 'manage-delivery-fee-too-large');
  assert.deepEqual((await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`)).restaurant.delivery, before);
});

test('a guest is told the minimum, refused a postcode outside the area, and pays the fee as its own line', async () => {
  // Chromium logs the refused order (422) as a console error: this page expects exactly that one.
  const errors = [];
  const tab = await page(await world.chrome.newContext(PHONE), errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/`);
  await tab.getByRole('button', { name: 'Add Lasagne' }).click();
  await tab.locator('[data-item="lasagne"]').getByText('Added Lasagne').waitFor();
  await tab.getByRole('radio', { name: 'Delivery' }).check();

  const blocked = tab.locator('#order-blocked');
  await blocked.filter({ hasText: 'We deliver from €15.00 of food: add €2.00 more, or choose pickup.' }).waitFor();
  assert.ok(await tab.getByRole('button', { name: 'Order', exact: true }).isDisabled());
  await tab.getByText('We deliver to 10435, 10437.').waitFor();
  await tab.getByTestId('delivery-fee').filter({ hasText: 'Delivery costs €2.50, added to your total.' }).waitFor();
  await noViolations(tab, 'delivery checkout');
  await screenshot(tab, 'guest-delivery-minimum');

  await tab.locator('[data-line="0"]').getByRole('button', { name: 'One more Lasagne' }).click();
  await blocked.waitFor({ state: 'hidden' });
  await tab.getByLabel('Your name').fill('Grace');
  await tab.getByLabel('Phone (for the driver)').fill('+49 30 555 0303');
  await tab.getByLabel('Delivery address').fill('Hafenstraße 1');
  await tab.getByLabel('Postcode').fill('20095');
  await tab.getByRole('button', { name: 'Order', exact: true }).click();
  await tab.locator('#postcode-error').filter({ hasText: 'We do not deliver to this postcode.' }).waitFor();
  assert.equal(await tab.evaluate(() => document.activeElement?.id), 'guest-postcode');
  await screenshot(tab, 'guest-delivery-postcode-refused');

  await tab.getByLabel('Delivery address').fill('Kastanienallee 1');
  await tab.getByLabel('Postcode').fill('10435');
  await tab.getByRole('button', { name: 'Order', exact: true }).click();
  await tab.getByTestId('order-state').waitFor();
  const fee = tab.getByTestId('delivery-fee');
  assert.match(await fee.innerText(), /Delivery\s+€2\.50/);
  assert.match(await tab.locator('.total').first().innerText(), /€28\.50/);
  const receipt = tab.locator('.receipt');
  assert.match(await receipt.innerText(), /Delivery\s+€2\.50/);
  assert.match(await receipt.innerText(), /Kastanienallee 1, 10435/);
  await noViolations(tab, 'order page with a delivery fee');
  await screenshot(tab, 'guest-delivery-fee-receipt');
  assert.deepEqual(errors, ['Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)']);
});
