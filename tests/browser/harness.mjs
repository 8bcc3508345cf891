// Starts the local server on a free loopback port with a fresh data folder, and Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const root = resolve(import.meta.dirname, '../..');
export const screenshots = join(root, 'target', 'screenshots');

function freePort() {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/**
 * The local server; `rateLimit` requests a second per client (0, the tests' default: none);
 * `hold` the capabilities it holds back for every restaurant (`--hold`).
 */
export async function startServer(existing, { rateLimit = 0, hold = '', payments = 'off' } = {}) {
  const port = existing?.port ?? await freePort();
  const data = existing?.data ?? mkdtempSync(join(tmpdir(), 'bistro-browser-'));
  const child = spawn(join(root, 'target/debug/bistro-local'),
    ['--addr', `127.0.0.1:${port}`, '--data', data, '--rate-limit', String(rateLimit), '--static', join(root, 'static-site'), '--no-demo', ...(hold ? ['--hold', hold] : []),
      '--payments', payments, ...(payments === 'fake' ? ['--platform-fees', 'EUR:30+1.5%'] : [])],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RUST_LOG: 'warn', BISTRO_JWT_SECRET: 'browser tests secret, long enough for HS256' } });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i += 1) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base, port, data, child,
    async stop({ keepData = false } = {}) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      if (!keepData) rmSync(data, { recursive: true, force: true });
    },
  };
}

export async function call(base, method, path, { body, token, key } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers['idempotency-key'] = key;
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const DAY = [{ opens: '00:00', closes: '00:00' }];

/// A restaurant open around the clock with a small menu; returns the manager's and staff's logins.
export async function seedRestaurant(base, slug) {
  const restaurant = {
    slug, name: 'Osteria Browser', address: 'Kastanienallee 7\n10435 Berlin', currency: 'EUR', time_zone: 'Europe/Berlin',
    hours: { weekly: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, DAY])) },
    order_kinds: { dine_in: true, pickup: true, delivery: true }, tables: ['1', '2', '7'],
    tax: { rate: 1900, mode: 'inclusive' },
    reservations: { slot_minutes: 30, seating_minutes: 90, covers_per_slot: 20, party_min: 1, party_max: 8, lead_minutes: 0, horizon_days: 60 },
  };
  const owner = await call(base, 'POST', '/v1/restaurants', { body: { restaurant, owner: { email: `owner@${slug}.test`, name: 'Owner', password: 'owner password 123' } } });
  const token = owner.session.token;
  await call(base, 'POST', `/v1/restaurants/${slug}/staff`, { token, body: { email: `kitchen@${slug}.test`, name: 'Kitchen', password: 'kitchen password 123', role: 'staff' } });
  await call(base, 'POST', `/v1/restaurants/${slug}/menu/categories`, { token, body: { id: 'mains', name: 'Mains', position: 1 } });
  const eur = (minor) => ({ minor, currency: 'EUR' });
  await call(base, 'POST', `/v1/restaurants/${slug}/menu/items`, { token, body: { id: 'lasagne', item: { category: 'mains', name: 'Lasagne', description: 'Baked in house', price: eur(1300), allergens: ['gluten', 'milk'] } } });
  await call(base, 'POST', `/v1/restaurants/${slug}/menu/items`, { token, body: { id: 'pizza', item: {
    category: 'mains', name: 'Pizza', price: eur(900), dietary: ['vegetarian'],
    option_groups: [{ id: 'size', name: 'Size', min_choices: 1, max_choices: 1, options: [{ id: 'regular', name: 'Regular', price_delta: eur(0) }, { id: 'large', name: 'Large', price_delta: eur(300) }] }],
  } } });
  return { owner: { email: `owner@${slug}.test`, password: 'owner password 123', token }, staff: { email: `kitchen@${slug}.test`, password: 'kitchen password 123' } };
}

/**
 * A restaurant closed yesterday, today and tomorrow (Berlin dates), open around the clock
 * otherwise, that takes dine-in and pickup and serves one soup: for the pages of a closed
 * restaurant and ordering ahead.
 */
export async function seedClosedRestaurant(base, slug, name) {
  const berlin = (days) => {
    const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date()).split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  };
  const restaurant = {
    slug, name, currency: 'EUR', time_zone: 'Europe/Berlin',
    hours: { weekly: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, DAY])), closures: [berlin(-1), berlin(0), berlin(1)] },
    order_kinds: { dine_in: true, pickup: true, delivery: false }, tables: ['1'], tax: { rate: 1900, mode: 'inclusive' },
    reservations: { slot_minutes: 30, seating_minutes: 90, covers_per_slot: 20, party_min: 1, party_max: 8, lead_minutes: 0, horizon_days: 60 },
  };
  const owner = await call(base, 'POST', '/v1/restaurants', { body: { restaurant, owner: { email: `owner@${slug}.test`, name: 'Owner', password: 'owner password 123' } } });
  await call(base, 'POST', `/v1/restaurants/${slug}/menu/categories`, { token: owner.session.token, body: { id: 'mains', name: 'Mains', position: 1 } });
  await call(base, 'POST', `/v1/restaurants/${slug}/menu/items`, { token: owner.session.token, body: { id: 'soup', item: { category: 'mains', name: 'Soup', price: { minor: 700, currency: 'EUR' } } } });
}

/**
 * Open every day for eight hours from the start of this hour in Berlin, so the tests find the free
 * slots they take whatever the time they run at: an all-day opening ends at midnight, and late in
 * the evening leaves only a few.
 */
const berlinHour = () => Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
const clock = (h) => `${String(h % 24).padStart(2, '0')}:00`;

/** The start of this hour in Berlin ("04:00"): a restaurant whose day starts with its opening
 * keeps the whole opening one business day, whenever the tests run. */
export function thisHour() {
  return clock(berlinHour());
}

export function fromThisHour() {
  const hour = berlinHour();
  const day = [{ opens: clock(hour), closes: clock(hour + 8) }];
  return Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, day]));
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/// A page that fails the test on any console error or uncaught exception.
export async function page(context, errors) {
  const tab = await context.newPage();
  tab.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  tab.on('pageerror', (error) => errors.push(error.message));
  return tab;
}

export function screenshot(tab, name) {
  mkdirSync(screenshots, { recursive: true });
  return tab.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/** A phone as the guest and manager tests hold it. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Each manage section's address under `/manage/` and its page's heading. */
export const MANAGE_SECTIONS = { menu: 'Menu', settings: 'Settings', hours: 'Hours and delivery', staff: 'Your team', reports: 'Reports' };

/** The manage page's `section` of `slug` on a phone, logged in as its owner. */
export async function managerOnPhone(world, slug, errors = world.errors, section = 'menu') {
  const tab = await page(await world.chrome.newContext(PHONE), errors);
  await tab.goto(`${world.server.base}/r/${slug}/manage/${section}`);
  await logIn(tab, world.logins.owner);
  await tab.getByRole('heading', { name: MANAGE_SECTIONS[section], level: 1 }).waitFor();
  return tab;
}

export async function logIn(tab, { email, password }) {
  await tab.getByLabel('E-mail').fill(email);
  await tab.getByLabel('Password').fill(password);
  await tab.getByRole('button', { name: 'Log in' }).click();
}

/**
 * One test file's world: a local server with the restaurant `slug` seeded, Chromium, and the
 * console errors of every page, which must be none when the file ends. Filled in before the tests.
 */
export function suite(slug, options = {}) {
  const world = { server: null, chrome: null, logins: null, errors: [] };
  before(async () => {
    world.server = await startServer(undefined, options);
    world.logins = await seedRestaurant(world.server.base, slug);
    world.chrome = await browser();
  });
  after(async () => {
    await world.chrome?.close();
    await world.server?.stop();
    assert.deepEqual(world.errors, [], 'no console errors on any page');
  });
  return world;
}

/** What reaches past the visual viewport: elements (outside rows that scroll sideways on purpose), and the page itself. */
async function overflow(tab) {
  return tab.evaluate(() => {
    const width = window.visualViewport.width;
    const scrollsSideways = (e) => e.closest('.jump');
    const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const beyond = [...document.querySelectorAll('body *')]
      .filter((e) => shown(e) && !scrollsSideways(e))
      .filter((e) => { const r = e.getBoundingClientRect(); return r.right > width + 0.5 || r.left < -0.5; })
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''}`);
    const hidden = ['html', 'body'].filter((tag) => getComputedStyle(document.querySelector(tag)).overflowX === 'hidden');
    return { width, page: document.documentElement.scrollWidth, beyond: beyond.slice(0, 8), hidden };
  });
}

export async function fits(tab, view) {
  const found = await overflow(tab);
  assert.deepEqual(found.hidden, [], `${view}: nothing hides the page's overflow`);
  assert.deepEqual(found.beyond, [], `${view} at ${found.width} px`);
  assert.ok(found.page <= found.width, `${view}: the page is ${found.page} px on a ${found.width} px screen`);
}
