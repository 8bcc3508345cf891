// The guest's pages on phones 320, 390 and 430 px wide (the browser's phone emulation, where a
// page wider than the screen widens the layout instead of scrolling): nothing reaches past the
// visual viewport on the menu, the cart, the checkout, the order and the booking views, and the
// cart bar is on screen once a dish is in the cart.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PHONE, call, fits, page, screenshot, suite } from './harness.mjs';

const SLUG = 'trattoria-phone';

const world = suite(SLUG);

/** A menu like a real one: many categories (their links make a row wider than any phone), long words. */
async function fullMenu() {
  const { token } = world.logins.owner;
  const eur = (minor) => ({ minor, currency: 'EUR' });
  const categories = ['Antipasti', 'Pizze rosse', 'Pizze bianche', 'Primi piatti', 'Secondi', 'Contorni', 'Dolci', 'Bevande'];
  for (const [n, name] of categories.entries()) {
    const id = `c${n}`;
    await call(world.server.base, 'POST', `/v1/restaurants/${SLUG}/menu/categories`, { token, body: { id, name, position: n + 2 } });
    await call(world.server.base, 'POST', `/v1/restaurants/${SLUG}/menu/items`, { token, body: { id: `dish-${n}`, item: {
      category: id, name: `Specialità della casa ${n}`, price: eur(1250 + n),
      description: 'Tagliatelle with a slow-cooked ragù of Chianina beef, Parmigiano-Reggiano aged thirty-six months, and Sicilian-lemon-zest-gremolata',
      allergens: ['gluten', 'milk', 'celery'], dietary: ['spicy'],
    } } });
  }
}

let seeded;

for (const width of [320, 390, 430]) {
  test(`at ${width} px the menu, cart, checkout, order and booking fit the screen and the cart bar is on it`, async () => {
    seeded ??= fullMenu();
    await seeded;
    const context = await world.chrome.newContext({ ...PHONE, viewport: { width, height: 740 } });
    const tab = await page(context, world.errors);
    await tab.goto(`${world.server.base}/r/${SLUG}/t/7`);
    await tab.locator('.item h3').first().waitFor();
    await fits(tab, 'menu');

    await tab.getByRole('button', { name: 'Add Specialità della casa 3' }).click();
    const bar = tab.getByTestId('cart-bar');
    await bar.getByText(/1 item/).waitFor();
    const box = await bar.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 740 + 1, `the cart bar is on screen: ${JSON.stringify(box)}`);
    await fits(tab, 'menu with the cart bar');

    await bar.getByRole('link', { name: /View order/ }).click();
    await tab.getByLabel('Your name').waitFor();
    await fits(tab, 'cart and checkout');
    await screenshot(tab, `phone-${width}-checkout`);

    await tab.getByLabel('Your name').fill('Ada');
    await tab.getByRole('button', { name: 'Order', exact: true }).click();
    await tab.getByTestId('order-state').filter({ hasText: 'Placed' }).waitFor();
    await fits(tab, 'order');

    await tab.goto(`${world.server.base}/r/${SLUG}/book`);
    await tab.getByLabel('Guests').fill('2');
    await tab.getByRole('button', { name: 'Show times' }).click();
    await tab.locator('.slot').nth(4).waitFor();
    await fits(tab, 'booking');
    await screenshot(tab, `phone-${width}-booking`);
    await context.close();
  });
}
