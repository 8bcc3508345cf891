// A page whose reads come faster than the server's per-client limit (a manager adding dishes in
// quick succession, each save followed by the menu read again) waits as the server says and
// confirms what was saved, instead of reporting "too many requests".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { browser, logIn, page, seedRestaurant, startServer, PHONE } from './harness.mjs';

const SLUG = 'trattoria-quick';
const world = { server: null, chrome: null, logins: null, errors: [] };

before(async () => {
  // Seeded without a limit, then served with one, from the same data.
  const seeding = await startServer();
  world.logins = await seedRestaurant(seeding.base, SLUG);
  await seeding.stop({ keepData: true });
  world.server = await startServer(seeding, { rateLimit: 1 });
  world.chrome = await browser();
});
after(async () => {
  await world.chrome?.close();
  await world.server?.stop();
});

test('dishes added in quick succession are each confirmed, though reads came faster than allowed', async () => {
  // Chromium logs each refused read (429) itself: those are the server's answers, not the page's errors.
  const tab = await page(await world.chrome.newContext(PHONE), []);
  await tab.goto(`${world.server.base}/r/${SLUG}/manage`);
  await tab.getByLabel('E-mail').waitFor();
  // A person takes longer than the limit's second to type: what is sent (never sent twice) goes
  // through, and the reads each save is followed by come too fast.
  await tab.waitForTimeout(1100);
  await logIn(tab, world.logins.owner);
  await tab.getByRole('heading', { name: 'Menu', level: 1 }).waitFor();

  for (const name of ['Soup of the day', 'Bread basket', 'Olives']) {
    await tab.getByText('Add an item').click();
    const form = tab.getByRole('form', { name: 'New item' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Price (EUR)').fill('4.50');
    await tab.waitForTimeout(1100);
    await form.getByRole('button', { name: 'Add item' }).click();
    await tab.getByTestId('manage-notice').filter({ hasText: `${name} is on the menu.` }).waitFor();
  }

  assert.equal(await tab.getByText(/too many requests/i).count(), 0);
});
