// The guest's checkout: how the order comes (table, pickup, delivery with its address, postcode,
// fee and minimum), when, and who it is for; every refusal said next to what caused it, in the
// guest's words. What the guest typed survives the cart being drawn again.
import { api } from './api.js';
import { h, localTime, money } from './ui.js';
import { waysToOrder } from './offer.js';
import { pausedUntil } from './pace.js';
import { guestMessage, t } from './words.js';

/** A few postcodes in full, a long list cut short. */
function listed(postcodes) {
  return postcodes.length > 8 ? `${postcodes.slice(0, 8).join(', ')}, …` : postcodes.join(', ');
}

function field(label, control, error) {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, error);
}

// What the guest typed and chose at checkout: the panel is drawn again on every change to the
// cart, and adding a dish must not undo the choice of delivery or the address typed; nor must a
// reload. Kept in the tab's sessionStorage (gone with the tab), and forgotten once ordered.
const draftKey = (slug) => `bistro.checkout.${slug}`;

function draftOf(slug) {
  try { return JSON.parse(sessionStorage.getItem(draftKey(slug))) ?? {}; } catch { return {}; }
}

export function checkout({ slug, cart, menu, table, blocked, open, placed }) {
  const draft = draftOf(slug);
  const labels = { dine_in: t('checkout.at_table', { table }), pickup: t('checkout.pickup'), delivery: t('checkout.delivery') };
  const offered = waysToOrder(menu.restaurant, table).map((way) => [way, labels[way]]);
  const form = h('form', { class: 'checkout', 'aria-labelledby': 'checkout-title', novalidate: true });
  const chosen = offered.some(([kind]) => kind === draft.kind) ? draft.kind : offered[0]?.[0];
  const errors = {};
  const errorFor = (name) => { errors[name] = h('p', { class: 'error', id: `${name}-error`, role: 'alert', hidden: true }); return errors[name]; };
  const name = h('input', { id: 'guest-name', name: 'name', required: true, maxlength: 100, autocomplete: 'name', 'aria-describedby': 'name-error' });
  const phone = h('input', { id: 'guest-phone', name: 'phone', type: 'tel', maxlength: 32, autocomplete: 'tel', 'aria-describedby': 'phone-error' });
  const address = h('textarea', { id: 'guest-address', name: 'address', rows: 2, maxlength: 300, autocomplete: 'street-address', 'aria-describedby': 'address-error' });
  const terms = menu.restaurant.delivery ?? { fee: 0, minimum: 0, postcodes: [] };
  const amount = (minor) => money({ minor, currency: menu.restaurant.currency });
  const postcode = h('input', { id: 'guest-postcode', name: 'postcode', maxlength: 10, autocomplete: 'postal-code', 'aria-describedby': 'postcode-hint postcode-error' });
  const postcodeHint = terms.postcodes.length ? h('p', { class: 'note', id: 'postcode-hint' }, t('checkout.postcodes', { list: listed(terms.postcodes) })) : '';
  const feeNote = terms.fee ? h('p', { class: 'note', 'data-testid': 'delivery-fee' }, t('checkout.delivery_fee', { fee: amount(terms.fee) })) : '';
  const addressField = h('div', {}, field(t('checkout.address'), address, errorFor('address')),
    h('div', { class: 'field' }, h('label', { for: 'guest-postcode' }, t('checkout.postcode')), postcode, postcodeHint, errorFor('postcode')), feeNote);
  const phoneLabel = h('label', { for: 'guest-phone' }, t('checkout.phone'));
  // How the order is paid, as the restaurant asks for each way of ordering: online (on Stripe's
  // page, before the kitchen sees the order), at the restaurant, or the guest's choice.
  const payWays = (kind) => menu.restaurant.pay?.[kind] ?? { online: false, at_restaurant: true };
  const payError = errorFor('pay');
  const payHolder = h('div');
  const drawPay = (kind) => {
    const pay = payWays(kind);
    const choice = pay.online && pay.at_restaurant
      ? h('fieldset', { class: 'pay' }, h('legend', {}, t('checkout.pay_how')),
        [['online', t('checkout.pay_online')], ['at_restaurant', t(kind === 'dine_in' ? 'checkout.pay_at_table' : 'checkout.pay_at_restaurant')]].map(([value, label]) =>
          h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'pay', value, checked: value === (draft.pay ?? 'online'), onchange: () => update() }), ` ${label}`)))
      : pay.online ? h('p', { class: 'note', 'data-testid': 'pay-online' }, t('checkout.pay_online_only')) : '';
    payHolder.replaceChildren(choice, payError);
  };
  /** How this order is paid, as the API takes it: `undefined` where only the restaurant takes money. */
  const payWay = () => {
    if (!payWays(form.elements.kind?.value ?? 'pickup').online) return undefined;
    return form.elements.pay?.value ?? 'online';
  };
  // A tip, where the restaurant offers one for this way of ordering and the guest pays online:
  // its shares (with what each comes to on this order) or an amount of the guest's own.
  const tips = menu.restaurant.tips ?? { percents: [] };
  const tipHolder = h('div');
  const tipError = errorFor('tip');
  const ownTip = h('input', { id: 'tip-own', name: 'tip_own', type: 'number', inputmode: 'decimal', min: 0, step: 'any', 'aria-describedby': 'tip-error' });
  const orderTotal = () => (cart.priced?.totals.total.minor ?? food) + (form.elements.kind?.value === 'delivery' ? terms.fee : 0);
  const drawTip = () => {
    const kind = form.elements.kind?.value ?? 'pickup';
    const offered = payWay() === 'online' && tips[kind] && (tips.percents.length || tips.any_amount);
    if (!offered) { tipHolder.replaceChildren(); return; }
    const shares = tips.percents.map((percent) => [`percent:${percent}`,
      t('checkout.tip_share', { percent, amount: amount(Math.round(orderTotal() * percent / 100)) })]);
    const options = [['none', t('checkout.tip_none')], ...shares, ...(tips.any_amount ? [['own', t('checkout.tip_own')]] : [])];
    const picked = options.some(([value]) => value === draft.tip) ? draft.tip : 'none';
    ownTip.hidden = picked !== 'own';
    tipHolder.replaceChildren(h('fieldset', { class: 'pay', 'data-testid': 'tip' }, h('legend', {}, t('checkout.tip_title')),
      options.map(([value, label]) => h('label', { class: 'choice' },
        h('input', { type: 'radio', name: 'tip', value, checked: value === picked, onchange: () => { draft.tip = value; ownTip.hidden = value !== 'own'; if (value === 'own') ownTip.focus(); } }), ` ${label}`)),
      h('label', { for: 'tip-own', class: 'visually-hidden' }, t('checkout.tip_own_amount')), ownTip, tipError));
  };
  /** The tip as the API takes it, or an error's words for the guest. */
  const tipWish = () => {
    const value = form.elements.tip?.value;
    if (!value || value === 'none' || tipHolder.childElementCount === 0) return {};
    if (value.startsWith('percent:')) return { wish: { percent: Number(value.slice(8)) } };
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency: menu.restaurant.currency }).resolvedOptions().maximumFractionDigits;
    const minor = Math.round(Number(String(ownTip.value).replace(',', '.')) * 10 ** digits);
    if (!Number.isFinite(minor) || minor <= 0) return { error: t('checkout.tip_own_invalid') };
    return { wish: { amount: minor } };
  };
  const general = h('p', { class: 'error', role: 'alert', hidden: true });
  const kindError = errorFor('kind');
  const button = h('button', { type: 'submit', class: 'primary', disabled: blocked || !open, 'aria-describedby': 'order-blocked' }, t('checkout.order'));
  // Why the order cannot be placed now: the cart's problem first, then a delivery's minimum,
  // then the time's.
  const blockedNote = h('p', { class: 'note', id: 'order-blocked', hidden: true });
  let time = { ok: open, why: '' };
  const food = cart.priced ? cart.priced.lines.reduce((sum, line) => sum + line.line_total.minor, 0) : 0;
  const short = () => (form.elements.kind?.value === 'delivery' ? terms.minimum - food : 0);
  const paused = pausedUntil(menu.restaurant.pace);
  const pausedWhy = paused && (paused.until ? t('menu.paused_until', { time: localTime(paused.until, menu.restaurant.time_zone) }) : t('menu.paused'));
  const update = () => {
    const why = blocked ? t('cart.cannot_order')
      : pausedWhy ? pausedWhy
      : short() > 0 ? t('checkout.below_minimum', { minimum: amount(terms.minimum), short: amount(short()) })
        : time.ok ? '' : time.why;
    button.disabled = Boolean(why);
    blockedNote.hidden = !why;
    blockedNote.textContent = why;
    if (!button.classList.contains('busy')) button.textContent = payWay() === 'online' ? t('checkout.to_payment') : t('checkout.order');
    if ((tipHolder.childElementCount > 0) !== Boolean(payWay() === 'online' && tips[form.elements.kind?.value ?? 'pickup'])) drawTip();
  };
  const orderable = (ok, why) => { time = { ok, why }; update(); };
  const whenHolder = h('div');
  let when = null;
  const showKind = () => {
    const kind = form.elements.kind?.value ?? 'pickup';
    const delivery = kind === 'delivery';
    addressField.hidden = !delivery;
    drawPay(kind);
    drawTip();
    phoneLabel.textContent = delivery ? t('checkout.phone_delivery') : t('checkout.phone');
    update();
    // The times are fetched with their code once a cart is there to order: the menu alone needs neither.
    when = null;
    import('./when.js').then(({ whenField }) => {
      if (form.elements.kind && form.elements.kind.value !== kind) return;
      when = whenField({ slug, restaurant: menu.restaurant, kind, open, onChange: orderable });
      whenHolder.replaceChildren(when.element);
    });
  };
  form.append(
    h('h3', { id: 'checkout-title' }, t('checkout.title')),
    h('fieldset', {}, h('legend', {}, t('checkout.how')), offered.map(([value, label], index) =>
      h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'kind', value, checked: value === chosen, onchange: showKind }), ` ${label}`)), kindError),
    whenHolder,
    field(t('checkout.name'), name, errorFor('name')),
    h('div', { class: 'field' }, phoneLabel, phone, errorFor('phone')),
    addressField,
    payHolder,
    tipHolder,
    general,
    blockedNote,
    button);
  for (const control of [name, phone, address, postcode]) control.value = draft[control.name] ?? '';
  form.addEventListener('input', (event) => {
    if (!event.target.name) return;
    draft[event.target.name] = event.target.value;
    sessionStorage.setItem(draftKey(slug), JSON.stringify(draft));
  });
  showKind();
  const idempotencyKey = crypto.randomUUID();
  const fail = (where, message) => {
    const box = errors[where] ?? general;
    box.textContent = message;
    box.hidden = false;
    ({ name, address, phone, postcode, pay: form.elements.pay?.[0], tip: form.elements.tip?.[0] }[where] ?? button).focus();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    for (const box of [...Object.values(errors), general]) box.hidden = true;
    const kindName = form.elements.kind?.value;
    if (!name.value.trim()) return fail('name', t('error.name_required'));
    if (kindName === 'delivery' && !address.value.trim()) return fail('address', t('error.address_required'));
    if (kindName === 'delivery' && terms.postcodes.length && !postcode.value.trim()) return fail('postcode', t('error.postcode_required'));
    if (kindName === 'delivery' && !phone.value.trim()) return fail('phone', t('error.phone_required'));
    const code = postcode.value.trim().replace(/\s+/g, ' ');
    const kind = kindName === 'dine_in' ? { type: 'dine_in', table }
      : kindName === 'delivery' ? { type: 'delivery', address: address.value.trim(), ...(code ? { postcode: code } : {}) } : { type: 'pickup' };
    const customer = { name: name.value.trim(), ...(phone.value.trim() ? { phone: phone.value.trim() } : {}) };
    const tip = tipWish();
    if (tip.error) { ownTip.focus(); tipError.textContent = tip.error; tipError.hidden = false; return; }
    button.disabled = true;
    button.classList.add('busy');
    button.textContent = t('checkout.ordering');
    try {
      const at = when?.value();
      const way = payWay();
      const body = { cart: cart.token, kind, customer, ...(at ? { at } : {}), ...(way ? { pay: way } : {}), ...(tip.wish ? { tip: tip.wish } : {}) };
      const result = await api('POST', `/v1/restaurants/${slug}/orders`, { body, headers: { 'idempotency-key': idempotencyKey } });
      sessionStorage.removeItem(draftKey(slug));
      placed(result);
    } catch (problem) {
      button.disabled = false;
      button.classList.remove('busy');
      update();
      if (['slot_full', 'slot_unavailable'].includes(problem.code)) return when?.refused(guestMessage(problem));
      const where = problem.code === 'address_required' || problem.field?.startsWith('kind.address') ? 'address'
        : problem.code === 'phone_required' || problem.field?.startsWith('customer.phone') ? 'phone'
        : ['postcode_required', 'postcode_not_delivered'].includes(problem.code) || problem.field?.startsWith('kind.postcode') ? 'postcode'
        : problem.field?.startsWith('customer.name') ? 'name'
          : ['unknown_table', 'order_type_not_offered'].includes(problem.code) ? 'kind'
            : ['online_payment_unavailable', 'online_payment_required', 'payment_provider_failed'].includes(problem.code) ? 'pay'
              : problem.code === 'invalid_tip' ? 'tip' : 'general';
      fail(where, where === 'phone' && problem.code === 'invalid_body' ? t('checkout.phone_invalid') : guestMessage(problem));
    }
  });
  return form;
}
