// The manager's menu on a phone: choices built with a form (never JSON) that price right in a
// guest's cart, prices checked in the currency's own units, a refused picture saying why, and
// deleting a dish after asking.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';

import { MANAGE_SECTIONS, PHONE, call, logIn, managerOnPhone, page, screenshot, suite } from './harness.mjs';

const SLUG = 'trattoria-manage';

const world = suite(SLUG);

/** What the manage page's own navigation calls each section. */
const SECTION_LINKS = { menu: 'Edit the menu', settings: 'Settings', hours: 'Hours and delivery', staff: 'Staff', reports: 'Sales' };

/** A dish in the manager's list, by its name. */
const dish = (tab, name) => tab.getByTestId('dishes').locator('li.dish').filter({ has: tab.getByRole('heading', { name, exact: true }) });

/** A dish's edit panel, opened. */
async function editPanel(tab, name) {
  await dish(tab, name).getByRole('button', { name: `Edit ${name}` }).click();
  return dish(tab, name);
}

const manager = (errors = world.errors, section = 'menu') => managerOnPhone(world, SLUG, errors, section);

test('a dish with a group of choices built in the form prices right in a guest\'s cart', async () => {
  const tab = await manager();
  await tab.getByText('Add an item').click();
  const form = tab.getByRole('form', { name: 'New item' });
  await form.getByLabel('Name').fill('Risotto');
  await form.getByLabel('Price (EUR)').fill('14.50');
  await form.getByRole('button', { name: 'Add a group of options' }).click();
  await form.getByLabel('Group name').fill('Topping');
  await form.getByLabel('At least').fill('1');
  await form.getByLabel('At most').fill('1');
  await form.getByLabel('Option', { exact: true }).fill('Truffle');
  await form.getByLabel('Price difference (EUR)').fill('4.00');
  await form.getByRole('button', { name: 'Add an option' }).click();
  await form.getByLabel('Option', { exact: true }).nth(1).fill('Parmesan');
  await form.getByLabel('Price difference (EUR)').nth(1).fill('0');
  await screenshot(tab, 'manage-option-form');
  await form.getByRole('button', { name: 'Add item' }).click();
  await tab.getByTestId('manage-notice').filter({ hasText: 'Risotto is on the menu.' }).waitFor();
  await dish(tab, 'Risotto').waitFor();

  const guest = await page(await world.chrome.newContext(PHONE), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/t/1`);
  await guest.getByRole('button', { name: 'Add Risotto' }).click();
  await guest.getByLabel('Truffle').check();
  await guest.getByRole('button', { name: 'Add to order' }).click();
  await guest.getByTestId('cart-total').filter({ hasText: '€18.50' }).waitFor();
});

test('an empty or malformed price is refused next to the price, and nothing is saved', async () => {
  const tab = await manager();
  await tab.getByText('Add an item').click();
  const form = tab.getByRole('form', { name: 'New item' });
  await form.getByLabel('Name').fill('Free lunch');

  await form.getByRole('button', { name: 'Add item' }).click();
  await form.getByText('Every dish needs a price.').waitFor();
  await form.getByLabel('Price (EUR)').fill('12.345');
  await form.getByRole('button', { name: 'Add item' }).click();
  await form.getByText('Write the price as an amount in EUR, like 12.50.').waitFor();

  await tab.reload();
  await tab.getByRole('heading', { name: 'Menu', level: 1 }).waitFor();
  assert.equal(await dish(tab, 'Free lunch').count(), 0);
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the manager\'s menu');
});

test('a price of nothing or of more than a thousand is asked about once, and saved when asked again', async () => {
  const tab = await manager();
  await tab.getByText('Add an item').click();
  const form = tab.getByRole('form', { name: 'New item' });
  await form.getByLabel('Name').fill('Water jug');
  await form.getByLabel('Price (EUR)').fill('0');

  await form.getByRole('button', { name: 'Add item' }).click();
  await form.getByText('Free of charge? Press Add item again if that is the price.').waitFor();
  assert.equal(await dish(tab, 'Water jug').count(), 0, 'not saved yet');
  await form.getByRole('button', { name: 'Add item' }).click();

  await tab.getByTestId('manage-notice').filter({ hasText: 'Water jug is on the menu.' }).waitFor();
});

test('a file that is not the picture it claims is refused with the server\'s reason on its row', async () => {
  // Chromium logs the refused request as a console error: exactly that one.
  const errors = [];
  const tab = await manager(errors);
  const row = await editPanel(tab, 'Lasagne');

  await row.getByLabel('Picture for Lasagne').setInputFiles({ name: 'lasagne.png', mimeType: 'image/png', buffer: Buffer.from('this is text, not a picture') });

  await row.getByText('The picture was refused: That file is not the picture it says it is. Choose another.').waitFor();
  assert.equal(await row.getByText('is updated').count(), 0);
  assert.deepEqual(errors.map((e) => e.replace(/\d{3} \(.*\)/, 'NNN')), ['Failed to load resource: the server responded with a status of NNN']);
});

test('a picture is uploaded with smaller copies, and a guest\'s phone loads a copy, not the original', async () => {
  const tab = await manager();
  const row = await editPanel(tab, 'Lasagne');
  // A 1200 × 800 photo-sized PNG, drawn by the browser itself.
  const png = await tab.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 1200;
    canvas.height = 800;
    const context = canvas.getContext('2d');
    const gradient = context.createLinearGradient(0, 0, 1200, 800);
    gradient.addColorStop(0, '#b3261e');
    gradient.addColorStop(1, '#f4d35e');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 1200, 800);
    return canvas.toDataURL('image/png').split(',')[1];
  });

  await row.getByLabel('Picture for Lasagne').setInputFiles({ name: 'lasagne.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });

  await row.getByText('The picture of Lasagne is updated.').waitFor();
  const item = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/menu/items/lasagne`);
  assert.deepEqual(item.image_variants.map((v) => v.width), [320, 640]);
  const guest = await page(await world.chrome.newContext(PHONE), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/`);
  const picture = guest.locator('[data-item="lasagne"] img.picture');
  await picture.scrollIntoViewIfNeeded();
  await guest.waitForFunction(() => document.querySelector('[data-item="lasagne"] img.picture')?.complete);
  const src = await picture.evaluate((img) => img.currentSrc);
  assert.ok(src.endsWith(item.image_variants[0].key), `a phone showing 96 px at density 2 loads the 320 px copy: ${src}`);
  // What was loaded, read on its own (an image from srcset reports its width per CSS pixel).
  const width = await guest.evaluate((url) => new Promise((done) => { const img = new Image(); img.onload = () => done(img.naturalWidth); img.src = url; }), src);
  assert.equal(width, 320);
  await screenshot(guest, 'guest-menu-picture');
});

test('a dish is edited in its own panel, and the list shows its new price', async () => {
  const tab = await manager();
  await editPanel(tab, 'Lasagne');
  const form = tab.getByRole('form', { name: 'Edit Lasagne' });
  await form.getByLabel('Price (EUR)').fill('13.50');
  await form.getByLabel('Description').fill('Baked in house, with ragù');
  await form.getByRole('button', { name: 'Save item' }).click();
  await dish(tab, 'Lasagne').getByText('Lasagne saved.').waitFor();
  await screenshot(tab, 'manage-dish-panel');

  assert.match(await dish(tab, 'Lasagne').locator('.price').innerText(), /€13\.50/);
  const item = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/menu/items/lasagne`);
  assert.equal(item.price.minor, 1350);
  assert.equal(item.description, 'Baked in house, with ragù');
  // Back to its price: the sales test below counts in it.
  await form.getByLabel('Price (EUR)').fill('13.00');
  await form.getByRole('button', { name: 'Save item' }).click();
  await dish(tab, 'Lasagne').locator('.price').filter({ hasText: '€13.00' }).waitFor();
});

test('a saved group of choices written once is given to two dishes and changed once for both', async () => {
  const tab = await manager();
  await tab.getByText('Save a new group').click();
  const form = tab.getByRole('form', { name: 'New saved group' });
  await form.getByRole('button', { name: 'Add a group of options' }).click();
  await form.getByLabel('Group name').fill('Spice level');
  await form.getByLabel('At least').fill('0');
  await form.getByLabel('At most').fill('1');
  await form.getByLabel('Option', { exact: true }).fill('Mild');
  await form.getByRole('button', { name: 'Add an option' }).click();
  await form.getByLabel('Option', { exact: true }).nth(1).fill('Hot');
  await form.getByLabel('Price difference (EUR)').nth(1).fill('1.00');
  await form.getByRole('button', { name: 'Save the group' }).click();
  await tab.getByTestId('manage-notice').filter({ hasText: 'Spice level is saved' }).waitFor();
  for (const name of ['Lasagne', 'Pizza']) {
    await editPanel(tab, name);
    const editor = tab.getByRole('form', { name: `Edit ${name}` });
    await editor.getByLabel('A saved group of choices').selectOption({ label: 'Spice level' });
    await editor.getByRole('button', { name: 'Add the saved group' }).click();
    await editor.getByRole('button', { name: 'Save item' }).click();
    await dish(tab, name).getByText(`${name} saved.`).waitFor();
  }
  await tab.reload();
  await tab.getByText('Spice level (on 2 dishes)').click();
  const saved = tab.getByRole('form', { name: 'Saved group Spice level' });
  await saved.getByLabel('Price difference (EUR)').nth(1).fill('1.50');
  await saved.getByRole('button', { name: 'Save Spice level for every dish' }).click();

  await tab.getByTestId('manage-notice').filter({ hasText: 'Spice level is saved on 2 dishes.' }).waitFor();
  await screenshot(tab, 'manage-saved-groups');
  for (const id of ['lasagne', 'pizza']) {
    const item = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/menu/items/${id}`);
    const spice = item.option_groups.find((g) => g.id === 'spice-level');
    assert.equal(spice.options.find((o) => o.name === 'Hot').price_delta.minor, 150, id);
  }
});

test('deleting a dish asks first, then the menu no longer has it', async () => {
  const tab = await manager();
  const row = await editPanel(tab, 'Pizza');

  await row.getByRole('button', { name: 'Delete Pizza' }).click();
  await row.getByRole('button', { name: 'Keep it' }).click();
  await row.getByRole('button', { name: 'Delete Pizza' }).click();
  await tab.getByRole('button', { name: 'Yes, delete' }).click();

  await tab.getByText('Pizza is deleted.').waitFor();
  const menu = await (await fetch(`${world.server.base}/v1/restaurants/${SLUG}/menu`)).json();
  assert.ok(!menu.items.some((i) => i.id === 'pizza'));
});

test('categories are added by name, renamed, moved, and deleted after asking; one holding dishes is not', async () => {
  const tab = await manager();
  const categories = tab.getByTestId('categories');
  const status = tab.getByTestId('categories-status');
  const names = () => categories.locator('li input').evaluateAll((inputs) => inputs.map((i) => i.value));
  for (const name of ['Desserts', 'Starters']) {
    await tab.getByLabel('Name of a new category').fill(name);
    await tab.getByRole('button', { name: 'Add category' }).click();
    await status.filter({ hasText: `${name} is added.` }).waitFor();
  }
  assert.deepEqual(await names(), ['Mains', 'Desserts', 'Starters']);

  // Each change draws the page anew: wait for the order it leads to before the next.
  const inOrder = (expected) => tab.waitForFunction((names) => JSON.stringify([...document.querySelectorAll('[data-testid="categories"] li input')].map((i) => i.value)) === JSON.stringify(names), expected);
  await tab.getByRole('button', { name: 'Move Starters up' }).click();
  await inOrder(['Mains', 'Starters', 'Desserts']);
  await tab.getByRole('button', { name: 'Move Starters up' }).click();
  await inOrder(['Starters', 'Mains', 'Desserts']);
  await status.filter({ hasText: 'Starters moved.' }).waitFor();
  await tab.getByLabel('Name of Desserts').fill('Sweets');
  await categories.locator('li[data-category="desserts"]').getByRole('button', { name: 'Rename' }).click();
  await status.filter({ hasText: 'Desserts is now called Sweets.' }).waitFor();
  assert.deepEqual(await names(), ['Starters', 'Mains', 'Sweets']);
  const listed = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/menu`);
  assert.deepEqual(listed.categories.map((c) => c.name), ['Starters', 'Mains', 'Sweets']);

  await tab.getByRole('button', { name: 'Delete Mains' }).click();
  await status.filter({ hasText: /^Mains still holds .*Lasagne.*: move them to another category or delete them first\.$/ }).waitFor();
  await tab.getByRole('button', { name: 'Delete Sweets' }).click();
  await screenshot(tab, 'manage-category-delete');
  await tab.getByRole('button', { name: 'Yes, delete' }).click();
  await status.filter({ hasText: 'Sweets is deleted.' }).waitFor();
  assert.deepEqual(await names(), ['Starters', 'Mains']);
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the manage page');
});

test('a category renamed elsewhere meanwhile is not renamed over, and the page shows it as it is now', async () => {
  const tab = await manager();
  await tab.getByLabel('Name of a new category').fill('Drinks');
  await tab.getByRole('button', { name: 'Add category' }).click();
  await tab.getByTestId('categories-status').filter({ hasText: 'Drinks is added.' }).waitFor();
  const { category, version } = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/menu/categories/drinks`);
  await call(world.server.base, 'PUT', `/v1/restaurants/${SLUG}/menu/categories/drinks`, { token: world.logins.owner.token, body: { name: 'Wines', position: category.position, version } });

  await tab.getByLabel('Name of Drinks').fill('Soft drinks');
  await tab.locator('li[data-category="drinks"]').getByRole('button', { name: 'Rename' }).click();

  await tab.getByTestId('categories-status').filter({ hasText: 'Drinks was changed meanwhile: here it is as it is now; make your change again.' }).waitFor();
  assert.equal(await tab.getByLabel('Name of Wines').inputValue(), 'Wines');
  assert.equal((await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/menu/categories/drinks`)).category.name, 'Wines');
});

test('a dish moved up comes before the other on the guest\'s menu', async () => {
  const tab = await manager();
  const names = () => tab.getByTestId('dishes').locator('li.dish h3').allInnerTexts();
  const before = await names();
  const last = before.at(-1);
  await (await editPanel(tab, last)).getByRole('button', { name: `Move ${last} up` }).click();
  await tab.getByTestId('manage-notice').filter({ hasText: `${last} moved.` }).waitFor();
  const after = await names();
  assert.deepEqual(after, [...before.slice(0, -2), last, before.at(-2)]);
  const guest = await page(await world.chrome.newContext(PHONE), world.errors);
  await guest.goto(`${world.server.base}/r/${SLUG}/`);
  await guest.locator('.item h3').first().waitFor();
  const shown = await guest.locator('.item h3').allInnerTexts();
  assert.ok(shown.indexOf(last) < shown.indexOf(before.at(-2)), shown.join(', '));
});

test('two forms saved one after the other on the page both keep their change', async () => {
  const tab = await manager(world.errors, 'settings');
  const basics = tab.getByRole('form', { name: 'Your restaurant' });
  await basics.getByLabel('Address (on guests\' receipts)').fill('Kastanienallee 9\n10435 Berlin');
  await basics.getByRole('button', { name: 'Save your restaurant' }).click();
  await basics.getByText('Your restaurant saved.').waitFor();
  const bookings = tab.getByRole('form', { name: 'Bookings' });
  await bookings.getByLabel('Most guests in a booking').fill('6');
  await bookings.getByRole('button', { name: 'Save bookings' }).click();
  await bookings.getByText('Bookings saved.').waitFor();

  const { restaurant } = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`);
  assert.equal(restaurant.address, 'Kastanienallee 9\n10435 Berlin');
  assert.equal(restaurant.reservations.party_max, 6);
});

test('a settings change made elsewhere meanwhile is not written over, and the page says so', async () => {
  // Chromium logs the refused save (409) as a console error: this page expects exactly that one.
  const errors = [];
  const tab = await manager(errors, 'settings');
  const current = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`);
  await call(world.server.base, 'PUT', `/v1/restaurants/${SLUG}`, { token: world.logins.owner.token, body: { restaurant: { ...current.restaurant, name: 'Osteria Elsewhere' }, version: current.version } });
  const basics = tab.getByRole('form', { name: 'Your restaurant' });

  await basics.getByLabel('Address (on guests\' receipts)').fill('Somewhere else 1');
  await basics.getByRole('button', { name: 'Save your restaurant' }).click();

  await basics.getByText('Someone changed the restaurant\'s settings meanwhile: reload the page to see their change, then make yours again.').waitFor();
  const { restaurant } = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`);
  assert.equal(restaurant.name, 'Osteria Elsewhere');
  assert.notEqual(restaurant.address, 'Somewhere else 1');
  assert.deepEqual(errors.map((e) => e.replace(/\d{3} \(.*\)/, 'NNN')), ['Failed to load resource: the server responded with a status of NNN']);
});

test('each manage section is at its own address, reached from the others, and none is wider than the phone', async () => {
  const tab = await manager();
  for (const [section, heading] of Object.entries(MANAGE_SECTIONS)) {
    await tab.getByRole('navigation', { name: 'Manage' }).getByRole('link', { name: SECTION_LINKS[section] }).click();
    await tab.getByRole('heading', { name: heading, level: 1 }).waitFor();
    assert.equal(new URL(tab.url()).pathname, `/r/${SLUG}/manage/${section}`);
    const width = await tab.evaluate(() => document.documentElement.scrollWidth);
    await screenshot(tab, `manage-${section}-phone`);
    assert.ok(width <= 390, `the manager's ${section} is ${width} px wide on a 390 px phone`);
    const { violations } = await new AxeBuilder({ page: tab }).analyze();
    assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `axe on ${section}`);
  }
  await tab.reload();
  await tab.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
});

test('every manage section speaks German to a German browser, with no key or English word left, and axe finds nothing', async () => {
  const tab = await page(await world.chrome.newContext({ ...PHONE, locale: 'de-DE' }), world.errors);
  await tab.goto(`${world.server.base}/r/${SLUG}/manage`);
  await tab.getByLabel('E-Mail').fill(world.logins.owner.email);
  await tab.getByLabel('Passwort').fill(world.logins.owner.password);
  await tab.getByRole('button', { name: 'Anmelden' }).click();
  await tab.getByRole('heading', { name: 'Speisekarte', level: 1 }).waitFor();
  const german = { menu: 'Speisekarte', settings: 'Einstellungen', hours: 'Öffnungszeiten und Lieferung', staff: 'Ihr Team', reports: 'Berichte' };
  const links = { menu: 'Karte bearbeiten', settings: 'Einstellungen', hours: 'Öffnungszeiten und Lieferung', staff: 'Personal', reports: 'Umsatz' };
  for (const [section, heading] of Object.entries(german)) {
    await tab.getByRole('navigation', { name: 'Verwalten' }).getByRole('link', { name: links[section], exact: true }).click();
    await tab.getByRole('heading', { name: heading, level: 1 }).waitFor();
    // Everything a manager reads, opened folds included.
    const folds = tab.locator('details:not([open]) > summary');
    for (let n = 0; n < 20 && await folds.count(); n += 1) await folds.first().click();
    const text = await tab.locator('body').innerText();
    assert.doesNotMatch(text, /\b(mgr|staff|state|error|booking)\.[a-z_.]+/, `no key shown on ${section}`);
    for (const english of ['Save ', 'Delete ', 'Edit ', 'Add ', 'Minutes', 'Guests ', 'Orders', 'Monday', 'Closed', 'Revenue', 'Settings', 'Staff']) {
      assert.ok(!text.includes(english), `"${english}" on ${section} is not German`);
    }
    const { violations } = await new AxeBuilder({ page: tab }).analyze();
    assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `axe on the German ${section}`);
    await screenshot(tab, `manage-${section}-german`);
  }
});

test('the owner hires a cook, who signs in, and removes them after asking, which ends their login', async () => {
  const tab = await manager(world.errors, 'staff');
  await tab.getByText('Add a staff account').click();
  const form = tab.getByRole('form', { name: 'Add a staff account' });
  await form.getByLabel('E-mail').fill(`cook@${SLUG}.test`);
  await form.getByLabel('Name').fill('Cook Carla');
  await form.getByLabel('Password (10+ characters)').fill('cook password 123');
  await form.getByRole('button', { name: 'Add' }).click();
  await tab.getByTestId('team-status').filter({ hasText: 'Cook Carla can sign in now as Kitchen and floor.' }).waitFor();
  const cook = await page(await world.chrome.newContext(), world.errors);
  await cook.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(cook, { email: `cook@${SLUG}.test`, password: 'cook password 123' });
  await cook.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  await screenshot(tab, 'manage-staff');

  const row = tab.getByTestId('team').locator('tr', { hasText: 'Cook Carla' });
  await row.getByRole('button', { name: 'Remove Cook Carla' }).click();
  await row.getByRole('button', { name: 'Yes, remove' }).click();

  await tab.getByTestId('team-status').filter({ hasText: 'Cook Carla is removed.' }).waitFor();
  assert.equal(await tab.getByTestId('team').locator('tr', { hasText: 'Cook Carla' }).count(), 0);
  await cook.getByTestId('login-notice').filter({ hasText: 'Your login has ended' }).waitFor({ timeout: 3000 });
});

test('the day\'s sales equal the orders accepted, cancelled apart, and the CSV has a row for each', async () => {
  const { base } = world.server;
  const placed = [];
  for (const key of ['sale-1', 'sale-2', 'sale-3']) {
    const cart = await call(base, 'POST', `/v1/restaurants/${SLUG}/carts`);
    await call(base, 'POST', `/v1/restaurants/${SLUG}/carts/${cart.token}/lines`, { body: { item: 'lasagne', quantity: 1 } });
    placed.push(await call(base, 'POST', `/v1/restaurants/${SLUG}/orders`, { key, body: { cart: cart.token, kind: { type: 'pickup' }, customer: { name: 'Buyer' } } }));
  }
  await call(base, 'POST', `/v1/restaurants/${SLUG}/orders/${placed[0].order.id}/cancel?token=${placed[0].token}`);
  // An order sells once the kitchen accepted it: the third waits and is shown apart.
  await call(base, 'POST', `/v1/restaurants/${SLUG}/orders/${placed[1].order.id}/transitions`, { token: world.logins.owner.token, body: { to: 'accepted' } });
  await call(base, 'POST', `/v1/restaurants/${SLUG}/orders/${placed[2].order.id}/transitions`, { token: world.logins.owner.token, body: { to: 'accepted' } });
  const tab = await manager(world.errors, 'reports');

  const figures = tab.getByTestId('sales-figures');
  await figures.waitFor();

  const text = await figures.innerText();
  assert.match(text, /Orders\s+2\b/);
  assert.match(text, /Revenue\s+€26\.00/);
  assert.match(text, /Average order\s+€13\.00/);
  assert.match(text, /Cancelled by guests\s+1\b/);
  assert.match(await tab.getByTestId('sales-items').innerText(), /Lasagne\s+2\s+€26\.00/);
  const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: 'Download CSV (one row per order)' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 3, csv.join('\n'));
  assert.equal(csv.filter((row) => row.includes(',cancelled,')).length, 1);
  await screenshot(tab, 'manage-sales');
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the sales');
});

test('the owner takes the restaurant\'s data away: the whole archive and the guests\' orders, each confirmed', async () => {
  const tab = await manager(world.errors, 'reports');
  const section = tab.getByRole('region', { name: 'Your restaurant\'s data' });
  await section.waitFor();

  const [archive] = await Promise.all([tab.waitForEvent('download'), section.getByRole('button', { name: 'Download everything (archive)' }).click()]);
  await tab.getByTestId('your-data-status').filter({ hasText: 'The archive is downloaded.' }).waitFor();
  const [orders] = await Promise.all([tab.waitForEvent('download'), section.getByRole('button', { name: 'Download guests\' orders (CSV)' }).click()]);

  const tarball = gunzipSync(readFileSync(await archive.path()));
  assert.equal(tarball.subarray(0, 13).toString(), 'manifest.json', 'a Bistro archive, its manifest first');
  const manifest = JSON.parse(tarball.subarray(512, 512 + Number.parseInt(tarball.subarray(124, 136).toString(), 8)).toString());
  assert.equal(manifest.restaurant, SLUG);
  assert.equal(manifest.secrets, false, 'no passwords or guests\' links in the owner\'s copy');
  assert.match(archive.suggestedFilename(), new RegExp(`^${SLUG}-\\d{4}-\\d{2}-\\d{2}\\.tar\\.gz$`));
  assert.match(readFileSync(await orders.path(), 'utf8'), /^business_day,number,/);
  await tab.getByTestId('your-data-status').filter({ hasText: 'The orders are downloaded.' }).waitFor();
  await screenshot(tab, 'manage-your-data');
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], 'axe on the data section');
});
