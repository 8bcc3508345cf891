// The customer's pages: the menu (from the published JSON), the cart, checkout and the live order.
import { api, config, publishedMenu } from './api.js';
import { connectLive } from './live.js';
import { h, money, show, submitOnce, toast, STATE_NAMES, localTime } from './ui.js';

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

function picture(item, mediaBaseUrl) {
  const fallback = () => h('div', { class: 'picture placeholder', 'aria-hidden': 'true' }, item.name.slice(0, 1));
  if (!item.image_key) return fallback();
  const image = h('img', { class: 'picture', src: `${mediaBaseUrl}/${item.image_key}`, alt: '', loading: 'lazy' });
  image.addEventListener('error', () => image.replaceWith(fallback()));
  return image;
}

function optionsForm(item, onAdd) {
  const form = h('form', { class: 'options', 'aria-label': `Options for ${item.name}` });
  for (const group of item.option_groups) {
    const type = group.max_choices === 1 ? 'radio' : 'checkbox';
    const hint = group.min_choices > 0 ? `choose ${group.min_choices === group.max_choices ? group.min_choices : `${group.min_choices}–${group.max_choices}`}` : `up to ${group.max_choices}`;
    form.append(h('fieldset', {}, h('legend', {}, `${group.name} (${hint})`),
      group.options.map((option, index) => h('label', {},
        h('input', { type, name: group.id, value: option.id, checked: type === 'radio' && group.min_choices > 0 && index === 0 }),
        ` ${option.name}`, option.price_delta.minor ? ` (${option.price_delta.minor > 0 ? '+' : ''}${money(option.price_delta)})` : ''))));
  }
  form.append(h('label', {}, 'Quantity ', h('input', { type: 'number', name: 'quantity', min: 1, max: 99, value: 1, required: true })));
  form.append(h('button', { type: 'submit' }, 'Add to order'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const choices = item.option_groups.flatMap((group) => data.getAll(group.id).map((option) => ({ group: group.id, option })));
    onAdd({ item: item.id, choices, quantity: Number(data.get('quantity')) });
  });
  return form;
}

function cartPanel(slug, cart, table, onChange) {
  const panel = h('section', { class: 'cart', 'aria-labelledby': 'cart-title' }, h('h2', { id: 'cart-title' }, 'Your order'));
  if (!cart || cart.lines.length === 0) {
    panel.append(h('p', {}, 'Nothing yet: add something from the menu.'));
    return panel;
  }
  if (cart.problem) panel.append(h('p', { class: 'error', role: 'alert' }, cart.problem.detail));
  const priced = cart.priced?.lines ?? [];
  panel.append(h('ul', {}, cart.lines.map((line, index) => h('li', {},
    `${line.quantity} × ${priced[index]?.name ?? line.item}`,
    priced[index]?.choices.length ? h('small', {}, ` (${priced[index].choices.map((c) => c.name).join(', ')})`) : '',
    priced[index] ? h('span', { class: 'price' }, money(priced[index].line_total)) : '',
    h('button', { class: 'link', type: 'button', 'aria-label': `Remove ${priced[index]?.name ?? line.item}`, onclick: async () => {
      onChange(await api('DELETE', `/v1/restaurants/${slug}/carts/${cart.token}/lines/${index}`));
    } }, 'Remove')))));
  if (cart.priced) {
    const totals = cart.priced.totals;
    panel.append(h('p', { class: 'total' }, 'Total ', h('strong', { 'data-testid': 'cart-total' }, money(totals.total)),
      h('small', {}, ` incl. ${money(totals.tax)} tax`)));
  }
  panel.append(checkout(slug, cart, table));
  return panel;
}

function checkout(slug, cart, table) {
  const form = h('form', { class: 'checkout', 'aria-label': 'Checkout' });
  const kinds = table ? [['dine_in', `At table ${table}`]] : [['pickup', 'Pickup'], ['delivery', 'Delivery']];
  form.append(h('fieldset', {}, h('legend', {}, 'How'), kinds.map(([value, label], index) =>
    h('label', {}, h('input', { type: 'radio', name: 'kind', value, checked: index === 0 }), ` ${label}`))));
  form.append(h('label', {}, 'Your name ', h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'name' })));
  form.append(h('label', {}, 'Phone (optional) ', h('input', { name: 'phone', type: 'tel', maxlength: 32, autocomplete: 'tel' })));
  if (!table) form.append(h('label', {}, 'Delivery address ', h('textarea', { name: 'address', rows: 2, maxlength: 300 })));
  const button = h('button', { type: 'submit', class: 'primary' }, 'Order');
  form.append(button);
  submitOnce(form, button, async (data, idempotencyKey) => {
    const kindName = data.get('kind');
    const kind = kindName === 'dine_in' ? { type: 'dine_in', table } : kindName === 'delivery' ? { type: 'delivery', address: data.get('address').trim() || undefined } : { type: 'pickup' };
    const customer = { name: data.get('name') };
    if (data.get('phone')) customer.phone = data.get('phone');
    const placed = await api('POST', `/v1/restaurants/${slug}/orders`, { body: { cart: cart.token, kind, customer }, headers: { 'idempotency-key': idempotencyKey } });
    localStorage.removeItem(cartKey(slug));
    return `/r/${slug}/order/${placed.order.id}?token=${placed.token}`;
  });
  return form;
}

export async function menuPage(slug, table) {
  const [menu, { mediaBaseUrl }, initialCart] = await Promise.all([publishedMenu(slug), config(), loadCart(slug)]);
  let cart = initialCart;
  const cartHolder = h('div');
  const renderCart = (next) => { cart = next; cartHolder.replaceChildren(cartPanel(slug, cart, table, renderCart)); };
  async function add(line) {
    try {
      const token = await cartToken(slug);
      renderCart(await api('POST', `/v1/restaurants/${slug}/carts/${token}/lines`, { body: line }));
      toast('Added to your order');
    } catch (problem) {
      toast(problem.message);
    }
  }
  const sections = menu.categories.map((category) => {
    const items = menu.items.filter((item) => item.category === category.id);
    return h('section', { class: 'category', 'aria-labelledby': `cat-${category.id}` }, h('h2', { id: `cat-${category.id}` }, category.name),
      items.map((item) => {
        const holder = h('div');
        const tags = [...item.dietary.map((d) => d.replace('_', ' ')), ...(item.allergens.length ? [`contains: ${item.allergens.join(', ')}`] : [])];
        return h('article', { class: `item${item.sold_out ? ' sold-out' : ''}`, 'data-item': item.id },
          picture(item, mediaBaseUrl),
          h('div', { class: 'details' },
            h('h3', {}, item.name), item.description ? h('p', {}, item.description) : '',
            tags.length ? h('p', { class: 'tags' }, tags.join(' · ')) : '',
            h('p', { class: 'price' }, money(item.price)),
            item.sold_out ? h('p', { class: 'badge' }, 'Sold out')
              : h('button', { type: 'button', 'aria-label': `Add ${item.name}`, onclick: () => {
                if (item.option_groups.length === 0) add({ item: item.id, quantity: 1 });
                else holder.replaceChildren(optionsForm(item, (line) => { holder.replaceChildren(); add(line); }));
              } }, 'Add'),
            holder));
      }));
  });
  renderCart(cart);
  show(h('h1', {}, menu.restaurant.name), table ? h('p', { class: 'note' }, `Ordering for table ${table}`) : '',
    h('div', { class: 'layout' }, h('div', { class: 'menu' }, sections), cartHolder));
}

export async function orderPage(slug, id, token) {
  const restaurant = (await api('GET', `/v1/restaurants/${slug}`)).restaurant;
  let order = await api('GET', `/v1/restaurants/${slug}/orders/${id}?token=${encodeURIComponent(token)}`);
  const status = h('p', { class: 'connection' });
  const body = h('div');
  function render() {
    const steps = order.kind.type === 'delivery' ? ['placed', 'accepted', 'preparing', 'ready', 'out_for_delivery', 'completed'] : ['placed', 'accepted', 'preparing', 'ready', 'completed'];
    const reached = steps.indexOf(order.state);
    body.replaceChildren(
      h('p', { class: 'order-state', 'data-testid': 'order-state', 'aria-live': 'polite' }, STATE_NAMES[order.state]),
      h('ol', { class: 'steps' }, steps.map((step, index) => h('li', { class: index <= reached ? 'done' : '' }, STATE_NAMES[step]))),
      h('ul', {}, order.lines.map((line) => h('li', {}, `${line.quantity} × ${line.name}`))),
      h('p', {}, 'Total ', h('strong', {}, money(order.totals.total))),
      h('p', { class: 'note' }, `Placed ${localTime(order.placed_at, restaurant.time_zone)}`),
      order.next.includes('cancelled') ? h('button', { type: 'button', onclick: async () => {
        try {
          order = await api('POST', `/v1/restaurants/${slug}/orders/${id}/cancel?token=${encodeURIComponent(token)}`);
          render();
        } catch (problem) { toast(problem.message); }
      } }, 'Cancel order') : '');
  }
  render();
  show(h('h1', {}, `Order #${order.number}`), status, body);
  await connectLive({ restaurant: slug, order: id, order_token: token }, {
    // A live message is the order as this page reads it, `next` included.
    onOrder: async (latest, { truncated }) => {
      if (latest.version <= order.version) return;
      if (truncated) {
        try {
          latest = await api('GET', `/v1/restaurants/${slug}/orders/${id}?token=${encodeURIComponent(token)}`);
        } catch {
          latest = { ...order, state: latest.state, version: latest.version, next: latest.next };
        }
      }
      order = latest;
      render();
    },
    onStatus: (state) => { status.textContent = state === 'live' ? 'Live updates on' : 'Reconnecting…'; },
    // An update did not reach this page: read the order as it is now.
    onResync: async () => {
      try {
        const latest = await api('GET', `/v1/restaurants/${slug}/orders/${id}?token=${encodeURIComponent(token)}`);
        if (latest.version > order.version) { order = latest; render(); }
      } catch (problem) { toast(problem.message); }
    },
  });
}
