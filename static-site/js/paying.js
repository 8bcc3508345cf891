// The guest's page between paying on Stripe's page and the order reaching the kitchen: the order
// is placed only when Stripe confirms the payment to Bistro (never by the guest's return), so the
// page waits for that, and says plainly when the payment lapsed or could not be used.
import { api, payingKey } from './api.js';
import { h, money, show } from './ui.js';
import { t } from './words.js';

const WAIT_MS = 2000;

/**
 * Shows the checkout `id` until it is paid, then resolves with the order (read by `readOrder`);
 * resolves with null once it ends otherwise (the page then says how), or the guest leaves.
 */
export async function awaitPayment(slug, id, token, readOrder) {
  const here = location.pathname;
  const read = () => api('GET', `/v1/restaurants/${slug}/orders/${id}/checkout?token=${encodeURIComponent(token)}`);
  let checkout = await read();
  const state = h('p', { class: 'order-state', role: 'status', 'data-testid': 'payment-state' });
  const more = h('div');
  show(h('h1', {}, t('paying.title')), state, more);
  for (;;) {
    if (location.pathname !== here) return null;
    if (checkout.state === 'paid') return readOrder();
    if (checkout.state === 'open') {
      state.textContent = t('paying.waiting');
      more.replaceChildren(
        h('p', { class: 'note' }, t('paying.waiting_note', { total: money(checkout.total) })),
        h('p', {}, h('a', { href: checkout.pay_url }, t('paying.pay_now'))));
      await new Promise((resolve) => { setTimeout(resolve, WAIT_MS); });
      checkout = await read();
      continue;
    }
    localStorage.removeItem(payingKey(id));
    state.textContent = checkout.state === 'expired' ? t('paying.expired') : t('paying.not_served', { reason: t(`paying.reason.${checkout.reason}`) });
    more.replaceChildren(h('p', {}, h('a', { href: `/r/${slug}/` }, t('paying.back_to_menu'))));
    return null;
  }
}
