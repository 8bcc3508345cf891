// The API client: one config.json says where the API, the sockets and the published menus are.

let configPromise;
export function config() {
  configPromise ??= fetch('/config.json').then((r) => r.json());
  return configPromise;
}

export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || `request failed (${status})`);
    this.status = status;
    this.code = body?.code || 'error';
    /** Where in the request the problem is (`kind.address`), when the server says. */
    this.field = body?.field ?? null;
  }
}

/** No answer at all (offline, the server down): a problem of its own, not the browser's text. */
const OFFLINE = { code: 'offline', detail: 'We could not reach the restaurant. Check your connection and try again.' };

const deviceKey = (slug) => `bistro.device.${slug}`;
const slugOf = (path) => path.match(/^\/v1\/restaurants\/([a-z0-9_-]+)/)?.[1];

/** Asks the restaurant once for this device's own token (the guest's pages do as they open):
 *  the guest's carts, orders and bookings then count against the device, not against the address
 *  it shares with everyone on the restaurant's Wi-Fi. Without one they count on the address. */
export async function ensureDevice(slug) {
  const kept = deviceOf(slug);
  // A token lapses 30 days after its last use: one issued 25 days ago is asked for again.
  if (kept && Date.now() - kept.at < 25 * 86_400_000) return;
  const { apiUrl } = await config();
  try {
    const response = await fetch(`${apiUrl}/v1/restaurants/${slug}/devices`, { method: 'POST' });
    const device = response.headers.get('bistro-device');
    if (response.ok && device) localStorage.setItem(deviceKey(slug), JSON.stringify({ device, at: Date.now() }));
  } catch { /* offline: the next page asks again */ }
}

function deviceOf(slug) {
  try {
    return JSON.parse(localStorage.getItem(deviceKey(slug)));
  } catch { return null; }
}

export async function api(method, path, { body, token, headers = {} } = {}) {
  const { apiUrl } = await config();
  const init = { method, headers: { ...headers } };
  const device = method !== 'GET' && deviceOf(slugOf(path))?.device;
  if (device) init.headers['bistro-device'] = device;
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  if (token) init.headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`${apiUrl}${path}`, init);
    // A request refused for coming too fast (a manager adding dishes quickly, whose page reads
    // the menu again after each) is sent again once the server says, if that is soon. A 429
    // changed nothing, so sending it again cannot make anything twice.
    const wait = Number(response.headers.get('retry-after'));
    if (response.status === 429 && wait > 0 && wait <= 5) {
      await new Promise((done) => setTimeout(done, wait * 1000));
      response = await fetch(`${apiUrl}${path}`, init);
    }
  } catch {
    throw new Problem(0, OFFLINE);
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.status === 401 && token) endSession(slugOf(path), 'expired');
  if (!response.ok) throw new Problem(response.status, data);
  return data;
}

/** Saves what `path` answers (a CSV, an archive) through the browser's own download, under the
 * name the server gives it (dated by the restaurant's own day), else `name`; a refusal throws a
 * Problem as `api` does. */
export async function download(path, token, name) {
  const { apiUrl } = await config();
  let response;
  try {
    response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new Problem(0, OFFLINE);
  }
  if (!response.ok) {
    const text = await response.text();
    throw new Problem(response.status, text ? JSON.parse(text) : null);
  }
  const given = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = given ? given[1] : name;
  document.body.append(link);
  link.click();
  link.remove();
}

/// The published menu (no function call on AWS); the API's menu if it is not published yet.
/// `fresh` asks the cache to check with the origin first (an ETag makes that a 304 when nothing
/// changed), for a page that stays open while the restaurant changes its menu.
export async function publishedMenu(slug, { fresh = false } = {}) {
  const { menuBaseUrl } = await config();
  let response;
  try {
    response = await fetch(`${menuBaseUrl}/menus/${slug}.json`, { cache: fresh ? 'no-cache' : 'default' });
  } catch {
    throw new Problem(0, OFFLINE);
  }
  if (response.ok) return response.json();
  const [restaurant, page] = await Promise.all([api('GET', `/v1/restaurants/${slug}`), api('GET', `/v1/restaurants/${slug}/menu?limit=200`)]);
  return { version: 0, restaurant: restaurant.restaurant, categories: page.categories, items: page.items };
}

/** Seconds since 1970 until which a token is valid, from its own claims (`exp`). */
function expiresAt(token) {
  try {
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return Number(claims.exp) || 0;
  } catch { return 0; }
}

/*
 * Where a staff login lives: the browser's localStorage, so that every tab of the same browser
 * shares it (a second tab of the board or the menu editor stays logged in) and logging out in
 * one logs out all. An HttpOnly cookie would keep the token from the page's scripts, but every
 * state-changing route would then need CSRF protection and CloudFront would have to pass cookies
 * to the API; instead the Content-Security-Policy lets only the site's own script files run (no
 * inline script, no other origin), which is what a stolen token would need, and a token lives
 * 12 hours, ended at once by "log out everywhere" or a change to the account.
 */
const sessionKey = (slug) => `bistro.session.${slug}`;

/** The staff login kept for this restaurant in this browser, unless it has expired. */
export function session(slug) {
  const raw = localStorage.getItem(sessionKey(slug));
  let kept = null;
  try { kept = raw ? JSON.parse(raw) : null; } catch { kept = null; }
  if (kept && expiresAt(kept.token) * 1000 <= Date.now()) {
    // Found out by a page about to draw: it draws the login form itself, so no one is told.
    forget(slug, 'expired');
    return null;
  }
  return kept;
}

function forget(slug, why) {
  localStorage.removeItem(sessionKey(slug));
  sessionStorage.setItem(`bistro.ended.${slug}`, why);
}

/**
 * Forgets the login (`why`: 'expired' when the server refused it or its time ran out, 'ended'
 * when the account was changed or removed, 'logged_out'), remembers why for the login form, and
 * tells the page (`bistro:session-ended`) so that it stops what needs the login and asks again.
 */
export function endSession(slug, why) {
  if (!slug || !localStorage.getItem(sessionKey(slug))) return;
  forget(slug, why);
  window.dispatchEvent(new CustomEvent('bistro:session-ended', { detail: { slug, why } }));
}

// Another tab logged out (or its login ended): this tab's pages stop and ask again too.
window.addEventListener('storage', (event) => {
  const slug = event.key?.startsWith('bistro.session.') && event.newValue === null && event.key.slice('bistro.session.'.length);
  if (!slug) return;
  sessionStorage.setItem(`bistro.ended.${slug}`, 'logged_out');
  window.dispatchEvent(new CustomEvent('bistro:session-ended', { detail: { slug, why: 'logged_out' } }));
});

/** Why the last login of this restaurant ended, once: the login form says it. */
export function takeEndedReason(slug) {
  const why = sessionStorage.getItem(`bistro.ended.${slug}`);
  sessionStorage.removeItem(`bistro.ended.${slug}`);
  return why;
}

export function saveSession(slug, value) {
  if (value) localStorage.setItem(sessionKey(slug), JSON.stringify(value));
  else localStorage.removeItem(sessionKey(slug));
}

/** The guest's orders at this restaurant that may still be under way, newest first. */
const ordersKey = (slug) => `bistro.orders.${slug}`;
export function activeOrders(slug) {
  try { return JSON.parse(localStorage.getItem(ordersKey(slug)) ?? '[]'); } catch { return []; }
}
export function rememberOrder(slug, order, token) {
  const kept = activeOrders(slug).filter((o) => o.id !== order.id).slice(0, 4);
  localStorage.setItem(ordersKey(slug), JSON.stringify([{ id: order.id, token, number: order.number }, ...kept]));
}
/** Where a guest's order paid online keeps its secret while the guest is on Stripe's page. */
export const payingKey = (id) => `bistro.paying.${id}`;

export function forgetOrder(slug, id) {
  localStorage.setItem(ordersKey(slug), JSON.stringify(activeOrders(slug).filter((o) => o.id !== id)));
}

