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
  }
}

export async function api(method, path, { body, token, headers = {} } = {}) {
  const { apiUrl } = await config();
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  if (token) init.headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${apiUrl}${path}`, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Problem(response.status, data);
  return data;
}

/// The published menu (no function call on AWS); the API's menu if it is not published yet.
export async function publishedMenu(slug) {
  const { menuBaseUrl } = await config();
  const response = await fetch(`${menuBaseUrl}/menus/${slug}.json`);
  if (response.ok) return response.json();
  const [restaurant, page] = await Promise.all([api('GET', `/v1/restaurants/${slug}`), api('GET', `/v1/restaurants/${slug}/menu?limit=200`)]);
  return { version: 0, restaurant: restaurant.restaurant, categories: page.categories, items: page.items };
}

export function session(slug) {
  const raw = sessionStorage.getItem(`bistro.session.${slug}`);
  return raw ? JSON.parse(raw) : null;
}

export function saveSession(slug, value) {
  if (value) sessionStorage.setItem(`bistro.session.${slug}`, JSON.stringify(value));
  else sessionStorage.removeItem(`bistro.session.${slug}`);
}
