// The guest's side on a phone: finding dishes, the cart and its problems, checkout errors in the
// guest's words, another language, and no accessibility violations on any guest view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';

import { PHONE, call, logIn, page, screenshot, seedClosedRestaurant, suite } from './harness.mjs';

const SLUG = 'trattoria-guest';

const world = suite(SLUG);

async function guest(path, options = {}) {
  const context = await world.chrome.newContext({ ...PHONE, ...options });
  const tab = await page(context, world.errors);
  await tab.goto(`${world.server.base}${path}`);
  return tab;
}

async function noViolations(tab, view) {
  const results = await new AxeBuilder({ page: tab }).analyze();
  assert.deepEqual(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `axe on the ${view}`);
}

async function addLasagne(tab) {
  await tab.getByRole('button', { name: 'Add Lasagne' }).click();
  await tab.locator('[data-item="lasagne"]').getByText('Added Lasagne').waitFor();
}

test('a guest finds a dish by searching and by a dietary filter', async () => {
  const tab = await guest(`/r/${SLUG}/t/7`);
  const visible = async () => tab.locator('.item:visible h3').allInnerTexts();
  await tab.locator('.item h3').first().waitFor();
  assert.deepEqual(await visible(), ['Lasagne', 'Pizza']);

  await tab.getByLabel('Search the menu').fill('lasag');
  assert.deepEqual(await visible(), ['Lasagne']);
  await tab.getByLabel('Search the menu').fill('');
  await tab.getByRole('button', { name: 'Vegetarian' }).click();
  assert.deepEqual(await visible(), ['Pizza']);
  await tab.getByLabel('Search the menu').fill('lasagne');
  await tab.getByText('Nothing on the menu matches').waitFor();

  await screenshot(tab, 'guest-menu-filtered');
  await noViolations(tab, 'menu');
});

test('the cart bar follows the guest with the count and the total, and identical dishes make one line with steppers', async () => {
  const tab = await guest(`/r/${SLUG}/t/7`);
  await addLasagne(tab);
  await addLasagne(tab);

  const bar = tab.getByTestId('cart-bar');
  await bar.getByText(/2 items · €26\.00/).waitFor();
  assert.equal(await tab.locator('#cart ul.lines > li').count(), 1, 'the same dish twice is one line');
  assert.equal(await tab.getByTestId('quantity').innerText(), '2');
  const box = await bar.boundingBox();
  assert.ok(box && box.y + box.height <= 844 + 1, 'the bar is on screen at the top of the menu');

  await tab.getByRole('button', { name: 'One more Lasagne' }).click();
  await tab.getByTestId('cart-total').filter({ hasText: '39' }).waitFor();
  await tab.getByRole('button', { name: 'One fewer Lasagne' }).click();
  await tab.getByRole('button', { name: 'One fewer Lasagne' }).click();
  await tab.getByTestId('cart-total').filter({ hasText: '13' }).waitFor();
  await bar.getByRole('link', { name: /View order/ }).click();
  await screenshot(tab, 'guest-cart');
  await noViolations(tab, 'cart');
});

test('a guest\'s page asks once for its device\'s own token and sends it when it opens a cart', async () => {
  const context = await world.chrome.newContext(PHONE);
  const tab = await page(context, world.errors);
  const asked = [];
  tab.on('request', (request) => { if (request.url().endsWith(`/v1/restaurants/${SLUG}/devices`)) asked.push(request); });
  const issued = tab.waitForResponse((r) => r.url().endsWith(`/v1/restaurants/${SLUG}/devices`));
  await tab.goto(`${world.server.base}/r/${SLUG}/t/4`);
  const device = (await issued).headers()['bistro-device'];
  assert.match(device, /^[0-9a-f]{64}$/);

  const opened = tab.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/v1/restaurants/${SLUG}/carts`));
  await addLasagne(tab);
  assert.equal((await opened).headers()['bistro-device'], device, 'the cart counts against the device');
  await tab.reload();
  await tab.locator('.item h3').first().waitFor();
  assert.equal(asked.length, 1, 'a device keeps its token');
});

test('a note on a line reaches the kitchen board', async () => {
  const staff = await page(await world.chrome.newContext(), world.errors);
  await staff.goto(`${world.server.base}/r/${SLUG}/staff`);
  await logIn(staff, world.logins.staff);
  await staff.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  const tab = await guest(`/r/${SLUG}/t/2`);
  await tab.getByRole('button', { name: 'Add Pizza' }).click();
  await tab.getByLabel('Note for the kitchen (optional)').fill('no basil, please');
  await tab.getByRole('button', { name: 'Add to order' }).click();
  await tab.locator('#cart').getByText('Note: no basil, please').waitFor();
  await tab.getByLabel('Your name').fill('Ada');
  await tab.getByRole('button', { name: 'Order', exact: true }).click();

  await tab.getByTestId('order-state').filter({ hasText: 'Placed' }).waitFor();
  await tab.getByText('Note: no basil, please').waitFor();
  await tab.getByText('At table 2', { exact: true }).waitFor();
  await staff.locator('.ticket', { hasText: 'no basil, please' }).waitFor({ timeout: 2000 });
  await screenshot(tab, 'guest-order');
  await noViolations(tab, 'order page');
});

test('a dish sold out while it is in the cart is named on its line and the order waits until it is removed', async () => {
  const tab = await guest(`/r/${SLUG}/t/7`);
  await addLasagne(tab);
  const soldOut = (sold_out, version) => call(world.server.base, 'PUT', `/v1/restaurants/${SLUG}/menu/items/lasagne/sold-out`, { token: world.logins.owner.token, body: { sold_out, version } });
  const lasagne = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/menu/items/lasagne`);
  const marked = await soldOut(true, lasagne.version);

  // The guest comes back to the tab: the page asks for the menu again at once.
  await tab.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await tab.getByText('Lasagne is sold out now. Remove it to order.').waitFor();
  assert.ok(await tab.getByRole('button', { name: 'Order', exact: true }).isDisabled());
  assert.equal(await tab.getByText(/lasagne'|item '/).count(), 0, 'no id in the guest\'s words');
  await screenshot(tab, 'guest-cart-sold-out');

  await tab.locator('#cart').getByRole('button', { name: 'Remove Lasagne' }).click();
  await tab.getByText('Nothing yet: add something from the menu.').waitFor();
  await soldOut(false, marked.version);
});

test('a mistyped restaurant address says so in the guest\'s words and language, and guests\' pages show no staff link', async () => {
  const context = await world.chrome.newContext({ ...PHONE, locale: 'de-DE' });
  // The browser logs the 404 of the missing restaurant's menu itself: not the page's error.
  const tab = await page(context, []);
  await tab.goto(`${world.server.base}/r/no-such-trattoria/`);
  await tab.getByRole('heading', { name: 'Entschuldigung' }).waitFor();
  await tab.getByRole('alert').filter({ hasText: 'Unter dieser Adresse gibt es nichts' }).waitFor();

  const menu = await guest(`/r/${SLUG}/`);
  await menu.locator('.item h3').first().waitFor();
  assert.deepEqual(await menu.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts(), ['Menu', 'Book a table']);
});

test('a reload keeps the name and address typed at checkout', async () => {
  const tab = await guest(`/r/${SLUG}/`);
  await addLasagne(tab);
  await tab.getByRole('radio', { name: 'Delivery' }).check();
  await tab.getByLabel('Your name').fill('Ada');
  await tab.getByLabel('Delivery address').fill('Kastanienallee 9');

  await tab.reload();
  await tab.getByLabel('Your name').waitFor();

  assert.equal(await tab.getByLabel('Your name').inputValue(), 'Ada');
  assert.equal(await tab.getByLabel('Delivery address').inputValue(), 'Kastanienallee 9');
  assert.ok(await tab.getByRole('radio', { name: 'Delivery' }).isChecked(), 'delivery is still chosen');
});

test('a note longer than a line takes is told beside it, never cut without a word', async () => {
  const tab = await guest(`/r/${SLUG}/t/3`);
  await tab.getByRole('button', { name: 'Add Pizza' }).click();
  await tab.getByLabel('Note for the kitchen (optional)').fill('x'.repeat(300));
  await tab.getByRole('button', { name: 'Add to order' }).click();

  await tab.getByText('A note takes at most 280 characters; this one has 300.').waitFor();
  assert.equal((await tab.getByLabel('Note for the kitchen (optional)').inputValue()).length, 300, 'nothing was cut');
  assert.equal(await tab.locator('#cart ul.lines > li').count(), 0, 'nothing was added');
});

test('a party above the restaurant\'s largest is told beside the field, in words', async () => {
  const tab = await guest(`/r/${SLUG}/book`);
  await tab.getByLabel('Guests').fill('12');
  await tab.getByRole('button', { name: 'Show times' }).click();

  await tab.locator('#party-error').filter({ hasText: 'We take bookings for 1 to 8 guests' }).waitFor();
  assert.equal(await tab.locator('.slot').count(), 0);
});

test('a table link for a table the restaurant does not have says so at once', async () => {
  const tab = await guest(`/r/${SLUG}/t/99`);
  await tab.getByRole('alert').filter({ hasText: 'This restaurant has no table 99' }).waitFor();
  assert.equal(await tab.getByText('Ordering for table 99').count(), 0);
  await addLasagne(tab);
  await tab.getByLabel('Pickup').waitFor();
});

test('a delivery without an address is refused next to the address field in the guest\'s words', async () => {
  const tab = await guest(`/r/${SLUG}/`);
  await addLasagne(tab);
  assert.ok(await tab.getByLabel('Delivery address').isHidden(), 'no address box for a pickup');
  await tab.getByRole('radio', { name: 'Delivery' }).check();
  await tab.getByLabel('Your name').fill('Grace');
  await tab.getByRole('button', { name: 'Order', exact: true }).click();

  const message = tab.locator('#address-error');
  await message.filter({ hasText: 'Tell us where to deliver.' }).waitFor();
  assert.doesNotMatch(await tab.locator('main').innerText(), /deserialize|line \d+ column|must not be empty/);
  await screenshot(tab, 'guest-delivery-address');
});

test('a delivery without a phone for the driver is refused next to the phone field', async () => {
  const tab = await guest(`/r/${SLUG}/`);
  await addLasagne(tab);
  await tab.getByRole('radio', { name: 'Delivery' }).check();
  await tab.getByLabel('Your name').fill('Grace');
  await tab.getByLabel('Delivery address').fill('Kastanienallee 1, 10435 Berlin');

  await tab.getByRole('button', { name: 'Order', exact: true }).click();

  await tab.locator('#phone-error').filter({ hasText: 'Give us a phone number, so the driver can call you.' }).waitFor();
  assert.equal(await tab.evaluate(() => document.activeElement?.id), 'guest-phone');
});

test('a German browser gets the menu in German', async () => {
  const tab = await guest(`/r/${SLUG}/`, { locale: 'de-DE' });
  await tab.getByRole('button', { name: 'Lasagne hinzufügen' }).click();
  await tab.getByText('Ihre Bestellung').waitFor();
  await tab.getByLabel('Ihr Name').waitFor();
  assert.equal(await tab.evaluate(() => document.documentElement.lang), 'de');
  await screenshot(tab, 'guest-menu-german');
});

test('a yen restaurant shows its prices without decimals', async () => {
  const restaurant = {
    slug: 'sushi-yen', name: 'Sushi Yen', currency: 'JPY', time_zone: 'Asia/Tokyo',
    hours: { weekly: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, [{ opens: '00:00', closes: '00:00' }]])) },
    order_kinds: { dine_in: true, pickup: true, delivery: false }, tables: ['1'], tax: { rate: 1000, mode: 'inclusive' },
    reservations: { slot_minutes: 30, seating_minutes: 90, covers_per_slot: 20, party_min: 1, party_max: 8, lead_minutes: 0, horizon_days: 60 },
  };
  const owner = await call(world.server.base, 'POST', '/v1/restaurants', { body: { restaurant, owner: { email: 'owner@sushi.test', name: 'Owner', password: 'owner password 123' } } });
  const token = owner.session.token;
  await call(world.server.base, 'POST', '/v1/restaurants/sushi-yen/menu/categories', { token, body: { id: 'rolls', name: 'Rolls', position: 1 } });
  await call(world.server.base, 'POST', '/v1/restaurants/sushi-yen/menu/items', { token, body: { id: 'maki', item: { category: 'rolls', name: 'Maki', price: { minor: 1200, currency: 'JPY' } } } });

  const tab = await guest('/r/sushi-yen/t/1');
  await tab.locator('[data-item="maki"] .price').filter({ hasText: '¥1,200' }).waitFor();
  await tab.getByRole('button', { name: 'Add Maki' }).click();
  await tab.getByTestId('cart-total').filter({ hasText: '¥1,200' }).waitFor();
  assert.doesNotMatch(await tab.getByTestId('cart-total').innerText(), /\.\d\d/);
});

test('a guest switches the language and the page is drawn again in it', async () => {
  const tab = await guest(`/r/${SLUG}/`);
  await tab.getByRole('button', { name: 'Add Lasagne' }).waitFor();
  await tab.getByLabel('Language').selectOption('de');
  await tab.getByRole('button', { name: 'Lasagne hinzufügen' }).waitFor();
  assert.match(await tab.locator('[data-item="lasagne"] .price').innerText(), /13,00/);
  await tab.reload();
  await tab.getByRole('button', { name: 'Lasagne hinzufügen' }).waitFor();
});

test('a booking comes with a calendar file for the guest\'s calendar', async () => {
  const tab = await guest(`/r/${SLUG}/book`);
  await tab.getByLabel('Guests').fill('2');
  await tab.getByRole('button', { name: 'Show times' }).click();
  await tab.locator('.slot').nth(4).waitFor();
  await noViolations(tab, 'booking form');
  await tab.locator('.slot').nth(4).click();
  await tab.getByLabel('Name').fill('Grace');
  await tab.getByLabel('Phone').fill('+49 30 7654321');
  await tab.getByLabel('E-mail (optional, for the restaurant to reach you)').fill('grace@example.com');
  await tab.getByLabel('Note for the restaurant (optional)').fill('A high chair, please');
  await tab.getByRole('button', { name: 'Book' }).click();
  await tab.getByTestId('booking-status').filter({ hasText: 'confirmed' }).waitFor();
  const [id, token] = [new URL(tab.url()).pathname.split('/').pop(), new URL(tab.url()).searchParams.get('token')];
  const stored = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/reservations/${id}?token=${token}`);
  assert.deepEqual([stored.contact.email, stored.note], ['grace@example.com', 'A high chair, please']);

  const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('link', { name: 'Add to my calendar' }).click()]);
  const { readFile } = await import('node:fs/promises');
  const ics = await readFile(await download.path(), 'utf8');
  assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
  assert.match(ics, /DTSTART:\d{8}T\d{6}Z\r\n/);
  assert.match(ics, /SUMMARY:Table for 2 at Osteria Browser\r\n/);
  assert.match(ics, /LOCATION:Kastanienallee 7\\n10435 Berlin\r\n/, 'the restaurant\'s address');
  const [start, end] = [/DTSTART:(\S+)/, /DTEND:(\S+)/].map((re) => ics.match(re)[1]);
  const parse = (s) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13));
  assert.equal((parse(end) - parse(start)) / 60000, 90, 'as long as the restaurant seats a table');
  await screenshot(tab, 'guest-booking-confirmed');
  await noViolations(tab, 'booking confirmation');
});

test('a guest downloads only guest code, and gets it compressed', async () => {
  const context = await world.chrome.newContext(PHONE);
  const tab = await page(context, world.errors);
  const scripts = new Map();
  tab.on('response', async (response) => {
    if (response.url().endsWith('.js')) scripts.set(new URL(response.url()).pathname, response.headers()['content-encoding']);
  });
  await tab.goto(`${world.server.base}/r/${SLUG}/t/7`);
  await tab.getByRole('button', { name: 'Add Lasagne' }).waitFor();

  assert.ok(!scripts.has('/js/staff.js') && !scripts.has('/js/manage.js'), [...scripts.keys()].join(' '));
  for (const [path, encoding] of scripts) assert.equal(encoding, 'gzip', path);
});

test('a closed restaurant says when it opens next and holds the Order button with the reason', async () => {
  await seedClosedRestaurant(world.server.base, 'closed-now', 'Closed Now');

  const tab = await guest('/r/closed-now/t/1');
  const weekday = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Berlin', weekday: 'long' }).format(new Date(Date.now() + 2 * 86_400_000));
  await tab.getByTestId('closed').filter({ hasText: `Opens ${weekday}` }).waitFor();
  assert.match(await tab.getByTestId('closed').innerText(), /12:00 AM/, 'midnight, in English');
  await tab.getByRole('button', { name: 'Add Soup' }).click();
  await tab.getByText('The restaurant is closed right now, so it cannot take orders.').waitFor();
  assert.ok(await tab.getByRole('button', { name: 'Order', exact: true }).isDisabled());
  await screenshot(tab, 'guest-closed');
});

test('the order page carries a receipt with the tax, and printing shows the receipt alone', async () => {
  const tab = await guest(`/r/${SLUG}/t/1`);
  await addLasagne(tab);
  await tab.getByLabel('Your name').fill('Ada');
  await tab.getByRole('button', { name: 'Order', exact: true }).click();
  const receipt = tab.locator('.receipt');
  await receipt.waitFor();

  const text = await receipt.innerText();
  assert.match(text, /Osteria Browser\s+Kastanienallee 7\s+10435 Berlin/);
  assert.match(text, /1 × Lasagne\s+€13\.00/);
  assert.match(text, /Included tax 19%\s+€2\.08/);
  assert.match(text, /Total\s+€13\.00/);
  await tab.emulateMedia({ media: 'print' });
  assert.ok(await receipt.isVisible());
  assert.ok(await tab.locator('header.top').isHidden());
  assert.ok(await tab.getByRole('button', { name: 'Print receipt' }).isHidden());
  await screenshot(tab, 'guest-receipt-print');
});

test('a guest whose browser speaks none of the pages\' languages gets the restaurant\'s own', async () => {
  const { restaurant, version } = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`);
  await call(world.server.base, 'PUT', `/v1/restaurants/${SLUG}`, { token: world.logins.owner.token, body: { restaurant: { ...restaurant, language: 'de' }, version } });
  try {
    const french = await guest(`/r/${SLUG}/`, { locale: 'fr-FR' });
    await french.getByRole('button', { name: 'Lasagne hinzufügen' }).waitFor();
    const english = await guest(`/r/${SLUG}/`, { locale: 'en-GB' });
    await english.getByRole('button', { name: 'Add Lasagne' }).waitFor();
  } finally {
    const now = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}`);
    await call(world.server.base, 'PUT', `/v1/restaurants/${SLUG}`, { token: world.logins.owner.token, body: { restaurant: { ...now.restaurant, language: 'en' }, version: now.version } });
  }
});

test('a dish taken off the menu while it is in the cart is named in words, never by its id', async () => {
  const token = world.logins.owner.token;
  await call(world.server.base, 'POST', `/v1/restaurants/${SLUG}/menu/items`, { token, body: { id: 'daily-soup', item: { category: 'mains', name: 'Soup of the day', price: { minor: 600, currency: 'EUR' } } } });
  const tab = await guest(`/r/${SLUG}/t/7`);
  await tab.getByRole('button', { name: 'Add Soup of the day' }).click();
  await tab.locator('#cart .line-name', { hasText: 'Soup of the day' }).waitFor();
  const soup = await call(world.server.base, 'GET', `/v1/restaurants/${SLUG}/menu/items/daily-soup`);
  await call(world.server.base, 'DELETE', `/v1/restaurants/${SLUG}/menu/items/daily-soup?version=${soup.version}`, { token });

  await tab.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await tab.getByText('This dish is not on the menu any more. Remove it to order.').waitFor();
  assert.doesNotMatch(await tab.locator('main').innerText(), /daily-soup/);
  assert.ok(await tab.getByRole('button', { name: 'Order', exact: true }).isDisabled());
});
