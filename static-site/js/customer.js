// The guest's menu page: the menu (from the published JSON), the cart and checkout. The live
// order page is order-view.js, fetched only when a guest follows an order.
import { activeOrders, api, config, ensureDevice, payingKey, publishedMenu, rememberOrder } from './api.js';
import { cartBar, cartPanel } from './cart-view.js';
import { isOpen, nextOpening } from './hours.js';
import { takesBookings, waysToOrder } from './offer.js';
import { pausedUntil } from './pace.js';
import { menuView } from './menu-view.js';
import { h, localTime, show, showBookingLink } from './ui.js';
import { guestMessage, t, useRestaurantLanguage } from './words.js';

const cartKey = (slug) => `bistro.cart.${slug}`;

async function cartToken(slug) {
  let token = localStorage.getItem(cartKey(slug));
  if (!token) {
    token = (await api('POST', `/v1/restaurants/${slug}/carts`)).token;
    localStorage.setItem(cartKey(slug), token);
  }
  return token;
}

async function loadCart(slug) {
  const token = localStorage.getItem(cartKey(slug));
  if (!token) return null;
  try {
    return await api('GET', `/v1/restaurants/${slug}/carts/${token}`);
  } catch {
    localStorage.removeItem(cartKey(slug));
    return null;
  }
}

/** How often an open menu asks whether the restaurant changed it (a 304 when it did not). */
const MENU_CHECK_MS = 30_000;

export async function menuPage(slug, rawTable) {
  ensureDevice(slug);
  const [first, { mediaBaseUrl }, initialCart] = await Promise.all([publishedMenu(slug), config(), loadCart(slug)]);
  await useRestaurantLanguage(first.restaurant.language);
  let menu = first;
  let cart = initialCart;
  const known = !rawTable || menu.restaurant.tables.includes(rawTable);
  const table = known ? rawTable : null;
  const menuHolder = h('div', { class: 'menu-holder' });
  const notesHolder = h('div');
  const cartHolder = h('div');
  const barHolder = h('div');
  let barMessage = null;
  // A restaurant that takes no order here (a menu to read only, or no way of ordering this
  // guest could use) shows its menu without Add buttons or a cart.
  const orders = () => waysToOrder(menu.restaurant, table).length > 0;
  const renderBar = () => barHolder.replaceChildren(orders() ? cartBar(cart, barMessage) : '');
  const closed = () => !isOpen(menu.restaurant.hours, menu.restaurant.time_zone, Date.now());
  const renderCart = (next) => {
    cart = next;
    cartHolder.replaceChildren(orders() ? cartPanel({ slug, cart, menu, table, change, placed, closed: closed() }) : '');
    renderBar();
  };
  const say = (where, message, isError) => {
    if (!where) return;
    where.textContent = message;
    where.classList.toggle('error', Boolean(isError));
  };
  async function add(line, where) {
    try {
      const token = await cartToken(slug);
      renderCart(await api('POST', `/v1/restaurants/${slug}/carts/${token}/lines`, { body: line }));
      const name = menu.items.find((i) => i.id === line.item)?.name ?? '';
      say(where, t('cart.added', { name }));
      barMessage = t('cart.added', { name });
      renderBar();
    } catch (problem) {
      say(where, guestMessage(problem), true);
    }
  }
  async function change(method, path, body, where) {
    try {
      renderCart(await api(method, path, body === undefined ? {} : { body }));
    } catch (problem) {
      say(where, guestMessage(problem), true);
    }
  }
  function placed({ order, checkout, token }) {
    localStorage.removeItem(cartKey(slug));
    if (checkout) {
      // Paid online: the guest pays on Stripe's page, which sends them back to the order's page;
      // the order's secret waits here for them (it never goes to Stripe).
      localStorage.setItem(payingKey(checkout.id), token);
      location.assign(checkout.pay_url);
      return;
    }
    rememberOrder(slug, order, token);
    history.pushState({}, '', `/r/${slug}/order/${order.id}?token=${token}`);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }
  const renderMenu = () => {
    menuHolder.replaceChildren(menuView(menu, mediaBaseUrl, orders() ? add : null));
    notesHolder.replaceChildren(...notes(menu.restaurant, table, orders(), closed()));
    showBookingLink(takesBookings(menu.restaurant));
  };
  renderMenu();
  renderCart(cart);
  const mine = activeOrders(slug);
  // Back from Stripe's page without paying: the order waits for its payment until it lapses.
  const paying = new URLSearchParams(location.search).get('paying');
  const left = paying && localStorage.getItem(payingKey(paying))
    ? h('p', { class: 'note', role: 'status', 'data-testid': 'left-payment' }, `${t('paying.left')} `, h('a', { href: `/r/${slug}/order/${paying}` }, t('paying.continue'))) : '';
  show(
    h('h1', {}, menu.restaurant.name),
    left,
    mine.length ? h('p', { class: 'note' }, `${t('menu.open_orders')}: `, mine.map((o, i) => [i ? ', ' : '', h('a', { href: `/r/${slug}/order/${o.id}?token=${o.token}` }, `#${o.number}`)])) : '',
    notesHolder,
    known ? '' : h('p', { class: 'error', role: 'alert' }, t('menu.unknown_table', { table: rawTable })),
    h('div', { class: 'layout' }, menuHolder, cartHolder),
    barHolder,
  );
  // A menu left open sees the restaurant's changes within half a minute, and at once when the
  // guest comes back to the tab: an item sold out meanwhile is marked before it is ordered.
  const here = location.pathname;
  async function refresh() {
    if (location.pathname !== here) { clearInterval(timer); document.removeEventListener('visibilitychange', onVisible); return; }
    try {
      const latest = await publishedMenu(slug, { fresh: true });
      if (latest.version === menu.version) return;
      menu = latest;
      renderMenu();
      renderCart(cart?.token ? await api('GET', `/v1/restaurants/${slug}/carts/${cart.token}`) : cart);
      barMessage = t('menu.updated');
      renderBar();
    } catch { /* offline for a moment: the next check tries again */ }
  }
  const onVisible = () => { if (document.visibilityState === 'visible') refresh(); };
  const timer = setInterval(refresh, MENU_CHECK_MS);
  document.addEventListener('visibilitychange', onVisible);
}

/** What the guest is told above the menu, drawn again whenever the published menu changes. */
function notes(restaurant, table, orders, closed) {
  const { time_zone: timeZone } = restaurant;
  const said = [];
  if (!orders) {
    said.push(h('p', { class: 'closed', role: 'status', 'data-testid': 'menu-only' }, table && restaurant.offered?.ordering ? t('menu.no_table_orders') : t('menu.menu_only')));
  } else {
    const opens = closed ? nextOpening(restaurant.hours, timeZone) : null;
    const when = opens && new Intl.DateTimeFormat(document.documentElement.lang || undefined, { timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(opens);
    if (closed) said.push(h('p', { class: 'closed', role: 'status', 'data-testid': 'closed' }, when ? t('menu.closed', { when }) : t('menu.closed_for_now')));
    const paused = pausedUntil(restaurant.pace);
    if (paused) said.push(h('p', { class: 'closed', role: 'status', 'data-testid': 'paused' }, paused.until ? t('menu.paused_until', { time: localTime(paused.until, timeZone) }) : t('menu.paused')));
    if (table) said.push(h('p', { class: 'note' }, t('menu.table', { table })));
  }
  return said;
}
