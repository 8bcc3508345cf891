// The customer's pages: the menu (from the published JSON), the cart, checkout and the live order.
import { api, config, publishedMenu } from './api.js';
import { cartBar, cartPanel } from './cart-view.js';
import { isOpen, nextOpening } from './hours.js';
import { menuView } from './menu-view.js';
import { h, localTime, money, show } from './ui.js';
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

/** The guest's orders at this restaurant that may still be under way, newest first. */
const ordersKey = (slug) => `bistro.orders.${slug}`;
function activeOrders(slug) {
  try { return JSON.parse(localStorage.getItem(ordersKey(slug)) ?? '[]'); } catch { return []; }
}
function rememberOrder(slug, order, token) {
  const kept = activeOrders(slug).filter((o) => o.id !== order.id).slice(0, 4);
  localStorage.setItem(ordersKey(slug), JSON.stringify([{ id: order.id, token, number: order.number }, ...kept]));
}
function forgetOrder(slug, id) {
  localStorage.setItem(ordersKey(slug), JSON.stringify(activeOrders(slug).filter((o) => o.id !== id)));
}

/** How often an open menu asks whether the restaurant changed it (a 304 when it did not). */
const MENU_CHECK_MS = 30_000;

export async function menuPage(slug, rawTable) {
  const [first, { mediaBaseUrl }, initialCart] = await Promise.all([publishedMenu(slug), config(), loadCart(slug)]);
  await useRestaurantLanguage(first.restaurant.language);
  let menu = first;
  let cart = initialCart;
  const known = !rawTable || menu.restaurant.tables.includes(rawTable);
  const table = known ? rawTable : null;
  const menuHolder = h('div', { class: 'menu-holder' });
  const cartHolder = h('div');
  const barHolder = h('div');
  let barMessage = null;
  const renderBar = () => barHolder.replaceChildren(cartBar(cart, barMessage));
  const { hours, time_zone: timeZone } = menu.restaurant;
  const closed = () => !isOpen(hours, timeZone, Date.now());
  const renderCart = (next) => {
    cart = next;
    cartHolder.replaceChildren(cartPanel({ slug, cart, menu, table, change, placed, closed: closed() }));
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
  function placed({ order, token }) {
    localStorage.removeItem(cartKey(slug));
    rememberOrder(slug, order, token);
    history.pushState({}, '', `/r/${slug}/order/${order.id}?token=${token}`);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }
  const renderMenu = () => menuHolder.replaceChildren(menuView(menu, mediaBaseUrl, add));
  renderMenu();
  renderCart(cart);
  const mine = activeOrders(slug);
  const opens = closed() ? nextOpening(hours, timeZone) : null;
  const when = opens && new Intl.DateTimeFormat(document.documentElement.lang || undefined, { timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(opens);
  show(
    h('h1', {}, menu.restaurant.name),
    mine.length ? h('p', { class: 'note' }, `${t('menu.open_orders')}: `, mine.map((o, i) => [i ? ', ' : '', h('a', { href: `/r/${slug}/order/${o.id}?token=${o.token}` }, `#${o.number}`)])) : '',
    closed() ? h('p', { class: 'closed', role: 'status', 'data-testid': 'closed' }, when ? t('menu.closed', { when }) : t('menu.closed_for_now')) : '',
    table ? h('p', { class: 'note' }, t('menu.table', { table })) : '',
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

export async function orderPage(slug, id, token) {
  // Only the order page follows an order live and says when it comes: the menu never loads these.
  const [{ restaurant }, { connectLive }, { promiseText }] =
    await Promise.all([api('GET', `/v1/restaurants/${slug}`), import('./live.js'), import('./when.js')]);
  await useRestaurantLanguage(restaurant.language);
  const read = () => api('GET', `/v1/restaurants/${slug}/orders/${id}?token=${encodeURIComponent(token)}`);
  let order = await read();
  const status = h('p', { class: 'connection', role: 'status' }, t('order.connecting'));
  const body = h('div');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const title = h('h1', {}, t('order.title', { number: order.number }));
  function where() {
    if (order.kind.type === 'dine_in') return t('order.at_table', { table: order.kind.table });
    if (order.kind.type === 'delivery') return t('order.delivery_to', { address: order.kind.address ?? '' });
    return t('order.pickup');
  }
  // What a till slip says (printed on its own: the page's print style shows only this).
  function receipt() {
    const { totals } = order;
    const rate = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: 'percent', maximumFractionDigits: 2 }).format(totals.tax_rate / 10_000);
    const row = (label, amount, strong) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, strong ? h('strong', {}, money(amount)) : money(amount)));
    return h('section', { class: 'receipt', 'aria-labelledby': 'receipt-title' },
      h('h2', { id: 'receipt-title' }, t('receipt.title')),
      h('p', {}, h('strong', {}, restaurant.name)),
      restaurant.address ? h('p', { class: 'address' }, restaurant.address) : '',
      h('p', {}, t('receipt.number', { number: order.number }), ' · ', localTime(order.placed_at, restaurant.time_zone), ' · ', where()),
      order.promise ? h('p', {}, promiseText(order, restaurant.time_zone)) : '',
      h('table', {},
        h('tbody', {}, order.lines.map((line) => row(`${line.quantity} × ${line.name}${line.choices.length ? ` (${line.choices.map((c) => c.name).join(', ')})` : ''}`, line.line_total))),
        h('tfoot', {},
          row(t('receipt.subtotal'), totals.subtotal),
          row(totals.tax_mode === 'exclusive' ? t('receipt.tax_added', { rate }) : t('receipt.tax_included', { rate }), totals.tax),
          row(t('cart.total'), totals.total, true))));
  }
  function render() {
    if (['completed', 'cancelled', 'rejected'].includes(order.state)) forgetOrder(slug, id);
    const steps = order.kind.type === 'delivery' ? ['placed', 'accepted', 'preparing', 'ready', 'out_for_delivery', 'completed'] : ['placed', 'accepted', 'preparing', 'ready', 'completed'];
    const reached = steps.indexOf(order.state);
    body.replaceChildren(
      h('p', { class: 'order-state', 'data-testid': 'order-state', 'aria-live': 'polite' }, t(`state.${order.state}`)),
      order.state === 'rejected' && order.reason ? h('p', { class: 'reason', 'data-testid': 'reason' }, t('order.rejected_because', { reason: order.reason })) : '',
      reached >= 0 ? h('ol', { class: 'steps' }, steps.map((step, index) => h('li', { class: index <= reached ? 'done' : '' }, t(`state.${step}`)))) : '',
      h('p', {}, where()),
      order.promise && !['completed', 'cancelled', 'rejected'].includes(order.state)
        ? h('p', { class: 'promise', 'data-testid': 'promise' }, promiseText(order, restaurant.time_zone)) : '',
      h('ul', { class: 'lines' }, order.lines.map((line) => h('li', {},
        h('div', { class: 'line-head' },
          h('span', {}, `${line.quantity} × ${line.name}`, line.choices.length ? h('small', {}, ` (${line.choices.map((c) => c.name).join(', ')})`) : ''),
          h('span', { class: 'price' }, money(line.line_total))),
        line.note ? h('p', { class: 'note' }, `${t('cart.note')}: ${line.note}`) : ''))),
      h('p', { class: 'total' }, `${t('cart.total')} `, h('strong', {}, money(order.totals.total))),
      h('p', { class: 'note' }, t('order.placed_at', { time: localTime(order.placed_at, restaurant.time_zone) })),
      receipt(),
      h('button', { type: 'button', class: 'no-print', onclick: () => window.print() }, t('order.print')),
      error,
      order.next.includes('cancelled') ? h('button', { type: 'button', onclick: async () => {
        try {
          order = await api('POST', `/v1/restaurants/${slug}/orders/${id}/cancel?token=${encodeURIComponent(token)}`);
          render();
        } catch (problem) {
          error.textContent = guestMessage(problem);
          error.hidden = false;
        }
      } }, t('order.cancel')) : '');
  }
  render();
  show(title, status, body);
  const here = location.pathname;
  let live = null;
  live = await connectLive({ restaurant: slug, order: id, order_token: token }, {
    // A live message is the order as this page reads it, `next` included.
    onOrder: async (latest, { truncated }) => {
      if (latest.version <= order.version) return;
      if (truncated) {
        try {
          latest = await read();
        } catch {
          latest = { ...order, state: latest.state, version: latest.version, next: latest.next };
        }
      }
      order = latest;
      render();
    },
    onStatus: (state) => {
      if (location.pathname !== here) { live?.stop(); return; }
      status.textContent = t(state === 'live' ? 'order.live' : state === 'connecting' ? 'order.connecting' : 'order.reconnecting');
    },
    // An update did not reach this page: read the order as it is now.
    onResync: async () => {
      try {
        const latest = await read();
        if (latest.version > order.version) { order = latest; render(); }
      } catch (problem) {
        error.textContent = guestMessage(problem);
        error.hidden = false;
      }
    },
  });
}
