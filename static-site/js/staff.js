// The staff board: orders in columns by state, filled live, one click to move an order on.
import { api, saveSession, session } from './api.js';
import { connectLive } from './live.js';
import { h, money, show, toast, KIND_NAMES, STATE_NAMES } from './ui.js';

// What each move is called on its button. Which moves an order offers is the server's to say
// (`next` on every order, over HTTP and live alike): the board keeps no state machine.
const MOVE_LABELS = { accepted: 'Accept', preparing: 'Start', ready: 'Ready', out_for_delivery: 'Out for delivery', completed: 'Complete' };
const moveLabel = (order, to) => (to === 'completed' && order.state === 'out_for_delivery' ? 'Delivered' : MOVE_LABELS[to]);
const COLUMNS = ['placed', 'accepted', 'preparing', 'ready', 'out_for_delivery'];

export function loginForm(slug, title, onLogin, notice = '') {
  const form = h('form', { class: 'login', 'aria-label': 'Log in' },
    h('label', {}, 'E-mail ', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'username' })),
    h('label', {}, 'Password ', h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' })),
    h('button', { type: 'submit', class: 'primary' }, 'Log in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const result = await api('POST', `/v1/restaurants/${slug}/login`, { body: { email: data.get('email'), password: data.get('password') } });
      saveSession(slug, result);
      onLogin(result);
    } catch (problem) { toast(problem.message); }
  });
  show(h('h1', {}, title), notice ? h('p', { role: 'alert' }, notice) : '', form);
}

function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.connect(audio.destination);
    tone.frequency.value = 880;
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  } catch { /* no sound here: the highlight still shows */ }
}

/** When the ticket is due: a time the guest chose, or the preparation time after ordering. */
function promised(order, timeZone) {
  const at = new Intl.DateTimeFormat(undefined, { timeZone, hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(new Date(order.promise.at));
  if (!order.promise.scheduled) return `Due ${at}`;
  return order.kind.type === 'delivery' ? `Deliver at ${at} (ordered ahead)` : `Pickup at ${at} (ordered ahead)`;
}

export async function boardPage(slug) {
  const current = session(slug);
  if (!current) return loginForm(slug, 'Staff board', () => boardPage(slug));
  const token = current.token;
  const { time_zone: timeZone } = (await api('GET', `/v1/restaurants/${slug}`)).restaurant;
  const orders = new Map();
  const indicator = h('p', { class: 'connection', 'data-testid': 'connection', role: 'status' }, 'Connecting…');
  const board = h('div', { class: 'board' });
  const fresh = new Set();

  async function move(order, to) {
    try {
      const moved = await api('POST', `/v1/restaurants/${slug}/orders/${order.id}/transitions`, { token, body: { to } });
      upsert(moved);
    } catch (problem) { toast(problem.message); }
  }

  function render() {
    board.replaceChildren(...COLUMNS.map((state) => h('section', { class: 'column', 'aria-labelledby': `col-${state}`, 'data-state': state },
      h('h2', { id: `col-${state}` }, STATE_NAMES[state]),
      [...orders.values()].filter((o) => o.state === state).sort((a, b) => a.number - b.number).map((order) => {
        const forward = order.next.filter((to) => to !== 'rejected');
        return h('article', { class: `ticket${fresh.has(order.id) ? ' new' : ''}`, 'data-order': order.id },
          h('h3', {}, `#${order.number} `, h('small', {}, order.kind.table ? `table ${order.kind.table}` : KIND_NAMES[order.kind.type])),
          h('ul', {}, order.lines.map((line) => h('li', {}, `${line.quantity} × ${line.name}`, line.choices.length ? ` (${line.choices.map((c) => c.name).join(', ')})` : '',
            line.note ? h('strong', { class: 'line-note' }, ` — ${line.note}`) : ''))),
          order.promise ? h('p', { class: `promise${order.promise.scheduled ? ' scheduled' : ''}`, 'data-testid': 'promise' }, promised(order, timeZone)) : '',
          h('p', {}, order.customer ? order.customer.name : 'Guest details erased', ' · ', money(order.totals.total)),
          forward.map((to) => h('button', { type: 'button', onclick: () => move(order, to) }, moveLabel(order, to))),
          order.next.includes('rejected') ? h('button', { type: 'button', class: 'link', onclick: () => move(order, 'rejected') }, 'Reject') : '');
      }))));
  }

  function upsert(order) {
    const known = orders.get(order.id);
    if (known && known.version >= order.version) return;
    if (!known && order.state === 'placed') {
      fresh.add(order.id);
      beep();
      setTimeout(() => { fresh.delete(order.id); render(); }, 10000);
    }
    orders.set(order.id, order);
    render();
  }

  // A live message cut to fit a frame lacks lines: read that order whole.
  async function arrived(order, { truncated }) {
    if (!truncated) return upsert(order);
    try { upsert(await api('GET', `/v1/restaurants/${slug}/orders/${order.id}`, { token })); } catch (problem) { toast(problem.message); }
  }

  show(h('h1', {}, 'Orders'), indicator, board, h('h2', {}, "Today's reservations"), await reservations(slug, token));
  // Live first, then today's orders over HTTP: nothing falls between the two.
  await connectLive({ restaurant: slug, token }, {
    onOrder: arrived,
    onStatus: (state) => {
      indicator.textContent = state === 'live' ? 'Live' : 'Reconnecting…';
      indicator.className = `connection ${state}`;
    },
    onResync: () => load(),
    onEnded: () => {
      saveSession(slug, null);
      loginForm(slug, 'Staff board', () => boardPage(slug), 'Your login has ended: your account was changed or removed. Log in again.');
    },
  });
  async function load() {
    let cursor = '';
    do {
      const page = await api('GET', `/v1/restaurants/${slug}/orders?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token });
      page.orders.forEach(upsert);
      cursor = page.next_cursor;
    } while (cursor);
  }
  await load();
}

async function reservations(slug, token) {
  try {
    const page = await api('GET', `/v1/restaurants/${slug}/reservations`, { token });
    if (page.reservations.length === 0) return h('p', {}, 'No bookings today.');
    return h('ul', {}, page.reservations.map((r) => h('li', {}, `${new Date(r.starts_at).toLocaleTimeString([], { timeStyle: 'short' })}: ${r.party} × ${r.contact ? r.contact.name : 'guest details erased'} (${r.status})`)));
  } catch {
    return h('p', {}, 'Bookings are shown to floor staff.');
  }
}
