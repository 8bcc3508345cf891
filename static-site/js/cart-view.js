// The guest's cart: lines with steppers and notes, what stops it from being ordered said next to
// the line that causes it, and a bar that stays at the bottom of the phone's screen with the
// count and the total. The checkout is checkout.js, fetched once the cart has something in it.
import { NOTE_MAX, h, money } from './ui.js';
import { guestMessage, t } from './words.js';

/** What stops line `line` from being ordered, judged against the menu the page shows. */
function lineProblem(line, menu) {
  const item = menu.items.find((i) => i.id === line.item);
  // A dish gone from the menu has no name left to show: never show its id instead.
  if (!item) return t('cart.gone_line');
  if (item.sold_out) return t('cart.sold_out_line', { name: item.name });
  return null;
}

function lineName(line, priced, menu) {
  return priced?.name ?? menu.items.find((i) => i.id === line.item)?.name ?? t('cart.gone_name');
}

function choiceNames(line, menu) {
  const item = menu.items.find((i) => i.id === line.item);
  return line.choices.map((c) => item?.option_groups.find((g) => g.id === c.group)?.options.find((o) => o.id === c.option)?.name).filter(Boolean);
}

/**
 * The cart panel. `cart` is the API's cart (or null), `change(method, path, body)` sends a change
 * and re-renders, `table` is a table this restaurant has (or null).
 */
export function cartPanel({ slug, cart, menu, table, change, placed, closed }) {
  const panel = h('section', { class: 'cart', id: 'cart', 'aria-labelledby': 'cart-title', tabindex: '-1' }, h('h2', { id: 'cart-title' }, t('cart.title')));
  if (!cart || cart.lines.length === 0) {
    panel.append(h('p', {}, t('cart.empty')));
    return panel;
  }
  const priced = cart.priced?.lines ?? [];
  const problems = cart.lines.map((line) => lineProblem(line, menu));
  const base = `/v1/restaurants/${slug}/carts/${cart.token}/lines`;
  panel.append(h('ul', { class: 'lines' }, cart.lines.map((line, index) => {
    const name = lineName(line, priced[index], menu);
    const choices = priced[index]?.choices.map((c) => c.name) ?? choiceNames(line, menu);
    const noteBox = h('div', { class: 'line-note' });
    const editNote = () => {
      const noteError = h('p', { class: 'error', id: `line-note-error-${index}`, role: 'alert', hidden: true });
      const input = h('input', { name: 'note', value: line.note ?? '', 'aria-label': `${t('cart.note')}: ${name}`, 'aria-describedby': noteError.id });
      noteBox.replaceChildren(h('form', { class: 'inline', onsubmit: (event) => {
        event.preventDefault();
        const note = input.value.trim();
        noteError.hidden = [...note].length <= NOTE_MAX;
        if (!noteError.hidden) {
          noteError.textContent = t('options.note_too_long', { max: NOTE_MAX, length: [...note].length });
          return input.focus();
        }
        change('PUT', `${base}/${index}`, { ...line, note: note || null }, noteBox);
      } }, input, h('button', { type: 'submit' }, t('cart.save_note')), noteError));
      input.focus();
    };
    noteBox.append(line.note ? h('p', { class: 'note' }, `${t('cart.note')}: ${line.note} `, h('button', { type: 'button', class: 'link', onclick: editNote }, t('cart.add_note')))
      : h('button', { type: 'button', class: 'link', onclick: editNote }, t('cart.add_note')));
    return h('li', { 'data-line': index },
      h('div', { class: 'line-head' },
        h('span', { class: 'line-name' }, name, choices.length ? h('small', {}, ` (${choices.join(', ')})`) : ''),
        priced[index] ? h('span', { class: 'price' }, money(priced[index].line_total)) : ''),
      h('div', { class: 'stepper' },
        h('button', { type: 'button', 'aria-label': t('cart.less', { name }), onclick: () => {
          if (line.quantity > 1) change('PUT', `${base}/${index}`, { ...line, quantity: line.quantity - 1 }, noteBox);
          else change('DELETE', `${base}/${index}`, undefined, noteBox);
        } }, '−'),
        h('span', { class: 'quantity', 'aria-live': 'polite', 'data-testid': 'quantity' }, String(line.quantity)),
        h('button', { type: 'button', 'aria-label': t('cart.more', { name }), disabled: line.quantity >= 99 || Boolean(problems[index]), onclick: () => {
          change('PUT', `${base}/${index}`, { ...line, quantity: line.quantity + 1 }, noteBox);
        } }, '+'),
        h('button', { type: 'button', class: 'link', onclick: () => change('DELETE', `${base}/${index}`, undefined, noteBox) }, t('cart.remove', { name }))),
      problems[index] ? h('p', { class: 'error', role: 'alert' }, problems[index]) : '',
      noteBox);
  })));
  // The server knows best: a problem the page could not place on a line still stops the order.
  const blocked = problems.some(Boolean) || Boolean(cart.problem);
  if (cart.problem && !problems.some(Boolean)) panel.append(h('p', { class: 'error', role: 'alert' }, guestMessage(cart.problem)));
  if (cart.priced) {
    const { totals } = cart.priced;
    const taxNote = totals.tax_mode === 'exclusive' ? t('cart.tax_added', { tax: money(totals.tax) }) : t('cart.tax_included', { tax: money(totals.tax) });
    panel.append(h('p', { class: 'total' }, `${t('cart.total')} `, h('strong', { 'data-testid': 'cart-total' }, money(totals.total)), h('small', {}, ` ${taxNote}`)));
  }
  // The checkout's code is fetched once there is something to order: a guest who only looks
  // at the menu never downloads it.
  const holder = h('div', { class: 'checkout-holder' });
  panel.append(holder);
  import('./checkout.js').then(({ checkout }) => holder.replaceChildren(checkout({ slug, cart, menu, table, blocked, open: !closed, placed })));
  return panel;
}

/** The bar at the bottom of the screen: how many, how much, and the way to the cart. */
export function cartBar(cart, message) {
  const count = cart?.lines.reduce((sum, line) => sum + line.quantity, 0) ?? 0;
  if (count === 0 && !message) return h('div', { class: 'cart-bar', hidden: true });
  return h('div', { class: 'cart-bar', 'data-testid': 'cart-bar' },
    h('span', { role: 'status' }, message ?? ''),
    count ? h('a', { href: '#cart', class: 'button primary', onclick: (event) => {
      event.preventDefault();
      const panel = document.getElementById('cart');
      panel?.scrollIntoView({ block: 'start' });
      panel?.focus({ preventScroll: true });
    } }, `${t('cart.view')} · ${count === 1 ? t('cart.item') : t('cart.items', { count })} · ${cart.priced ? money(cart.priced.totals.total) : ''}`.replace(/ · $/, '')) : '');
}
