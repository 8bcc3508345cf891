// Paying online, in a real browser on a phone, against the fake Stripe the local server starts
// (`--payments fake`): the owner connects the restaurant's account and asks guests to pay online;
// a guest orders a pickup, pays on the fake's hosted page, comes back to a page that waits for
// the payment's confirmation and then follows the order, which the board shows as paid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';

import { PHONE, fits, logIn, managerOnPhone, page, screenshot, suite } from './harness.mjs';

const SLUG = 'osteria-pay';

const world = suite(SLUG, { payments: 'fake' });

async function axeClean(tab, view) {
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `axe on the ${view}`);
}

test('the owner connects the restaurant\'s Stripe account and asks guests to pay online for pickup and delivery, at the table for dine-in', async () => {
  const tab = await managerOnPhone(world, SLUG, world.errors, 'settings');
  const section = tab.getByRole('region', { name: 'Payments online' });
  await section.getByTestId('account-state').filter({ hasText: 'No Stripe account is connected' }).waitFor();
  await axeClean(tab, 'payments section');
  await section.getByRole('button', { name: 'Connect your Stripe account' }).click();
  await tab.getByRole('button', { name: 'Finish setup' }).click();

  await tab.getByTestId('payments-status').filter({ hasText: 'Stripe says your account is ready' }).waitFor();
  await tab.getByTestId('account-state').filter({ hasText: 'Your Stripe account takes payments' }).waitFor();
  const ways = section.getByRole('group', { name: 'How guests pay' });
  await ways.getByLabel('At a table').selectOption('at_restaurant');
  await ways.getByLabel('Pickup').selectOption('online');
  await ways.getByLabel('Delivery').selectOption('online');
  await tab.getByRole('button', { name: 'Save how guests pay' }).click();
  await tab.getByTestId('payment-choice-status').filter({ hasText: 'Saved.' }).waitFor();
  const tips = section.getByRole('group', { name: 'Tips, when guests pay online' });
  await tips.getByLabel('Pickup').check();
  await tips.getByLabel('Tips offered (percent of the order)').fill('5, 10, 60');
  await tab.getByRole('button', { name: 'Save tips' }).click();
  await tips.getByText('Write up to four different whole percentages').waitFor();
  await tips.getByLabel('Tips offered (percent of the order)').fill('10, 15');
  await tab.getByRole('button', { name: 'Save tips' }).click();
  await tab.getByTestId('tips-status').filter({ hasText: 'Saved.' }).waitFor();
  await axeClean(tab, 'payments section with tips');
  await fits(tab, 'payments section');
  await screenshot(tab, 'manage-payments-phone');
  await tab.context().close();
});

test('a guest on a phone pays a pickup online, and the order reaches the board only once it is paid', async () => {
  const guest = await page(await world.chrome.newContext(PHONE), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/`);
  await guest.getByRole('button', { name: 'Add Pizza' }).click();
  await guest.getByRole('button', { name: 'Add to order' }).click();
  await guest.getByTestId('cart-bar').getByRole('link', { name: /View order/ }).click();
  await guest.getByLabel('Pickup').check();
  await guest.getByTestId('pay-online').filter({ hasText: 'You pay online when you order.' }).waitFor();
  await guest.getByLabel('Your name').fill('Ada');
  await guest.getByTestId('tip').getByLabel('10 % (€0.90)').check();
  await axeClean(guest, 'checkout with payment online');
  await fits(guest, 'checkout with a tip');
  await screenshot(guest, 'checkout-pay-online-phone');
  await guest.getByRole('button', { name: 'Continue to payment' }).click();

  await guest.getByRole('heading', { name: 'Pay for your order' }).waitFor();
  await screenshot(guest, 'fake-stripe-payment-page-phone');
  await guest.getByRole('button', { name: /^Pay / }).click();

  await guest.getByRole('heading', { name: /Order #1/ }).waitFor();
  await guest.getByTestId('paid').filter({ hasText: 'Paid online: €9.90' }).waitFor();
  await guest.getByRole('row', { name: 'Tip €0.90' }).waitFor();
  await guest.getByRole('row', { name: 'Paid online by Visa ···· 4242 €9.90' }).waitFor();
  await guest.getByTestId('order-state').filter({ hasText: 'Placed' }).waitFor();
  await axeClean(guest, 'order paid online');
  await screenshot(guest, 'order-paid-online-phone');

  const board = await page(await world.chrome.newContext(), world.errors);
  await board.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(board, world.logins.staff);
  const ticket = board.locator('[data-state="placed"] .ticket');
  await ticket.getByTestId('paid').filter({ hasText: 'Paid online' }).waitFor();
  assert.match(await ticket.innerText(), /#1/);
  await ticket.getByRole('button', { name: 'Accept' }).click();
  await guest.getByTestId('paid').filter({ hasText: 'Paid online: €9.90.' }).waitFor();

  // The owner gives part of it back from the day's history; the guest's page shows it at once.
  const history = await page(await world.chrome.newContext(PHONE), world.errors);
  await history.goto(`${world.server.base}/r/${SLUG}/history`);
  await logIn(history, world.logins.owner);
  const row = history.locator('[data-testid="history"] tbody tr').first();
  await row.getByText('Refund…').click();
  await row.getByLabel(/Amount to give back/).fill('3.00');
  await row.getByLabel('Why (the guest sees it)').fill('The pizza came cold');
  await axeClean(history, 'history with a refund form');
  await row.getByRole('button', { name: 'Refund', exact: true }).click();
  await row.getByTestId('paid').filter({ hasText: '€3.00 refunded' }).waitFor();
  await guest.getByTestId('refund').filter({ hasText: 'The pizza came cold' }).waitFor();
  await guest.getByText('Refunded: The pizza came cold').waitFor();
  await screenshot(guest, 'order-refunded-phone');
  await guest.context().close();
  await board.context().close();
  await history.context().close();

  // The day's report keeps the money by way of paying: the tip, the refund, the fee.
  const reports = await managerOnPhone(world, SLUG, world.errors, 'reports');
  const books = reports.getByTestId('sales-books');
  await books.getByRole('row', { name: 'Tips €0.90 €0.00' }).waitFor();
  await books.getByRole('row', { name: 'Refunds made €3.00 (1) €0.00' }).waitFor();
  await axeClean(reports, 'reports with the books');
  await fits(reports, 'reports with the books');
  await screenshot(reports, 'reports-books-phone');
  await reports.context().close();
});

test('a guest at a table is asked for no payment online, and the order goes to the kitchen at once', async () => {
  const guest = await page(await world.chrome.newContext(PHONE), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/t/7`);
  await guest.getByText('Ordering for table 7').waitFor();
  await guest.getByRole('button', { name: 'Add Lasagne' }).click();
  await guest.getByTestId('cart-bar').getByRole('link', { name: /View order/ }).click();
  await guest.getByLabel('Your name').fill('Bea');
  assert.equal(await guest.getByTestId('pay-online').count(), 0, 'no payment online at a table');
  await axeClean(guest, 'checkout at a table');
  await guest.getByRole('button', { name: 'Order', exact: true }).click();
  await guest.getByTestId('order-state').filter({ hasText: 'Placed' }).waitFor();
  assert.equal(await guest.getByTestId('paid').count(), 0);
  await guest.context().close();
});
