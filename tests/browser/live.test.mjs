// The live-update client under the conditions AWS makes: frames out of order, twice, and with a
// gap. The browser's WebSocket is routed to this test, which plays the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PHONE, call, logIn, page, screenshot, suite } from './harness.mjs';

const SLUG = 'gaps';

const world = suite(SLUG);

const eur = (minor) => ({ minor, currency: 'EUR' });

/** Order `number` at `version` in `state`, as the board receives it. */
function order(number, version, state) {
  return {
    id: `order${number}`.padEnd(32, '0'), restaurant: SLUG, number, business_date: '2026-12-04',
    kind: { type: 'dine_in', table: String(number) }, customer: { name: `Guest ${number}`, phone: null },
    lines: [{ item: 'pizza', name: 'Pizza', quantity: 1, note: null, choices: [], unit_price: eur(900), line_total: eur(900) }],
    totals: { subtotal: eur(900), tax: eur(144), total: eur(900), tax_rate: 1900, tax_mode: 'inclusive' },
    state, history: [], erased_at: null, placed_at: '2026-12-04T18:00:00Z', driver: null, version,
    next: state === 'placed' ? ['accepted', 'rejected'] : ['preparing'],
  };
}

// What the restaurant's log holds: three orders, two of them accepted.
const LOG = {
  1: order(1, 1, 'placed'),
  2: order(2, 1, 'placed'),
  3: order(1, 2, 'accepted'),
  4: order(3, 1, 'placed'),
  5: order(2, 2, 'accepted'),
};
const frame = (seq) => JSON.stringify({ type: 'order', seq, restaurant: SLUG, truncated: false, order: LOG[seq] });
const resumed = (after, last) => JSON.stringify({ type: 'resumed', restaurant: SLUG, subscription: { type: 'board' }, after, last_seq: last, sent: 0 });

test('a board given events out of order, twice and with a gap asks for the gap and ends with exactly the stored orders', async () => {
  const resumes = [];
  const context = await world.chrome.newContext();
  await context.routeWebSocket(/\/ws\?/, (socket) => {
    socket.onMessage((text) => {
      const message = JSON.parse(text);
      if (message.type !== 'resume') return;
      resumes.push(message.last_seq);
      if (resumes.length === 1) {
        // A live post overtakes the replay's end, then a replay frame arrives after it.
        socket.send(frame(1));
        socket.send(resumed(null, 1));
        for (const seq of [3, 2, 3, 1, 5]) socket.send(frame(seq));
      } else {
        // The page asks again from the last number it has without a hole.
        socket.send(frame(4));
        socket.send(frame(5));
        socket.send(resumed(message.last_seq, 5));
      }
    });
  });
  const tab = await page(context, world.errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(tab, world.logins.staff);
  await tab.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();

  const placed = tab.locator('[data-state="placed"] .ticket');
  const accepted = tab.locator('[data-state="accepted"] .ticket');
  await placed.filter({ hasText: '#3' }).waitFor({ timeout: 5000 });

  assert.deepEqual(resumes, [null, 3], 'one resume to start, one from 3 when 4 did not come');
  assert.deepEqual(await accepted.locator('h3').allInnerTexts(), ['#1 Table 1', '#2 Table 2']);
  assert.deepEqual(await placed.locator('h3').allInnerTexts(), ['#3 Table 3']);
  assert.equal(await tab.locator('.ticket').count(), 3, 'each order once');
  await screenshot(tab, 'board-after-a-gap');
});

test('a guest whose order is already followed on three screens is told live updates are off, and the page still follows the kitchen', async () => {
  const { base } = world.server;
  const cart = await call(base, 'POST', `/v1/restaurants/${SLUG}/carts`);
  await call(base, 'POST', `/v1/restaurants/${SLUG}/carts/${cart.token}/lines`, { body: { item: 'lasagne', quantity: 1 } });
  const placed = await call(base, 'POST', `/v1/restaurants/${SLUG}/orders`, { key: 'capped-guest', body: { cart: cart.token, kind: { type: 'pickup' }, customer: { name: 'Ada' } } });
  const address = `${base}/r/${SLUG}/order/${placed.order.id}?token=${placed.token}`;
  const context = await world.chrome.newContext(PHONE);
  for (let n = 0; n < 3; n += 1) {
    const screen = await page(context, world.errors);
    await screen.goto(address);
    await screen.getByText('Live updates on').waitFor();
  }
  // Chromium logs each refused handshake (429) as a console error: only those here.
  const refusedErrors = [];
  const fourth = await page(await world.chrome.newContext(PHONE), refusedErrors);
  await fourth.goto(address);

  await fourth.getByText('Live updates are not available here; this page checks for changes every 15 seconds.').waitFor({ timeout: 20_000 });
  await screenshot(fourth, 'guest-order-polling');
  await call(base, 'POST', `/v1/restaurants/${SLUG}/orders/${placed.order.id}/transitions`, { token: world.logins.owner.token, body: { to: 'accepted' } });
  await fourth.getByTestId('order-state').filter({ hasText: 'Accepted' }).waitFor({ timeout: 20_000 });
  assert.ok(refusedErrors.length > 0 && refusedErrors.every((e) => /WebSocket/.test(e) && /429/.test(e)), refusedErrors.join('\n'));
});
