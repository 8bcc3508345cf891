// The manager's word on how guests pay for pickup and delivery, and the owner's connection of the
// restaurant's own Stripe account: its state as Stripe says it, and where to finish setting it up
// (on Stripe's own pages, which send the owner back here to see it refreshed).
import { api } from './api.js';
import { h, localTime, money } from './ui.js';
import { guestMessage, t } from './words.js';
import { saveRestaurant } from './restaurant-forms.js';

const CHOICES = ['at_restaurant', 'online', 'either'];
const WAYS = ['dine_in', 'pickup', 'delivery'];

export async function paymentsSection(slug, current, shared) {
  const owner = current.account.role === 'owner';
  const said = h('p', { role: 'status', class: 'row-status', 'data-testid': 'payments-status' });
  let account = owner ? await accountState(slug, current.token, said) : null;
  if (owner && account && !account.available) {
    return h('section', { 'aria-labelledby': 'payments-title' }, h('h2', { id: 'payments-title' }, t('mgr.pay.title')), h('p', { class: 'note' }, t('mgr.pay.unavailable')));
  }
  const state = h('p', { 'data-testid': 'account-state' });
  const connect = h('button', { type: 'button', hidden: !owner });
  const drawAccount = () => {
    const now = account?.state ?? (shared.restaurant.payment_account ? shared.restaurant.payment_account.state : 'not_connected');
    state.textContent = t(`mgr.pay.account.${now}`);
    connect.textContent = t(now === 'not_connected' ? 'mgr.pay.connect' : 'mgr.pay.continue');
    connect.hidden = !owner || now === 'ready';
  };
  connect.addEventListener('click', async () => {
    connect.disabled = true;
    said.textContent = t('mgr.pay.opening');
    try {
      const connected = await api('POST', `/v1/restaurants/${slug}/payments/connect`, { token: current.token });
      location.assign(connected.continue_url);
    } catch (problem) {
      said.textContent = problem.message;
      connect.disabled = false;
    }
  });
  drawAccount();
  // How guests pay, for each way of ordering.
  const asked = { dine_in: 'at_restaurant', pickup: 'at_restaurant', delivery: 'at_restaurant', ...shared.restaurant.payment };
  const choices = Object.fromEntries(WAYS.map((way) => [way, h('select', { id: `payment-${way}`, name: way, 'aria-describedby': 'payment-hint' },
    CHOICES.map((value) => h('option', { value, selected: asked[way] === value }, t(`mgr.pay.choice.${value}`))))]));
  const choiceSaid = h('p', { role: 'status', class: 'row-status', 'data-testid': 'payment-choice-status' });
  const form = h('form', {},
    h('fieldset', {}, h('legend', {}, t('mgr.pay.how')),
      WAYS.map((way) => h('label', {}, `${t(`mgr.pay.way.${way}`)} `, choices[way]))),
    h('p', { class: 'note', id: 'payment-hint' }, t('mgr.pay.hint')),
    choiceSaid, h('button', { type: 'submit' }, t('mgr.pay.save')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    choiceSaid.textContent = '';
    try {
      const payment = Object.fromEntries(WAYS.map((way) => [way, choices[way].value]));
      await saveRestaurant(slug, current.token, shared, { payment });
      const ready = (account?.state ?? shared.restaurant.payment_account?.state) === 'ready';
      const online = WAYS.some((way) => payment[way] !== 'at_restaurant');
      choiceSaid.textContent = !online || ready ? t('mgr.pay.saved') : t('mgr.pay.saved_not_ready');
    } catch (problem) {
      choiceSaid.textContent = problem.message;
    }
  });
  return h('section', { 'aria-labelledby': 'payments-title' },
    h('h2', { id: 'payments-title' }, t('mgr.pay.title')), state, said, connect, problems(account, shared.restaurant), form, tipsForm(slug, current, shared));
}

/** What the hourly reconciliation with Stripe found for the owner to look at. */
function problems(account, restaurant) {
  const found = account?.problems ?? [];
  if (!found.length) return '';
  const amountOf = (problem) => (problem.amount ? money(problem.amount) : t('mgr.pay.problem.some_money'));
  return h('div', { class: 'problems', 'data-testid': 'payment-problems' },
    h('h3', {}, t('mgr.pay.problems')),
    h('ul', {}, found.map((problem) => h('li', {},
      t(`mgr.pay.problem.${problem.kind}`, { amount: amountOf(problem), number: problem.number ?? '', day: dayName(problem.business_day) }),
      ' ', problem.released ? t('mgr.pay.problem.released') : '',
      h('br'), h('small', {}, t('mgr.pay.problem.found', { time: localTime(problem.found_at, restaurant.time_zone), amount: amountOf(problem) }))))));
}

/** A business day as people write it ("8 December"). */
function dayName(day) {
  if (!day) return '';
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(document.documentElement.lang || undefined, { day: 'numeric', month: 'long', timeZone: 'UTC' });
}

/** Tips offered to guests who pay online: for which ways of ordering, the shares, an amount of their own. */
function tipsForm(slug, current, shared) {
  const tips = { dine_in: false, pickup: false, delivery: false, percents: [5, 10, 15], any_amount: false, ...shared.restaurant.tips };
  const ways = Object.fromEntries(WAYS.map((way) => [way, h('input', { type: 'checkbox', name: `tip-${way}`, checked: tips[way] })]));
  const percents = h('input', { id: 'tip-percents', value: tips.percents.join(', '), inputmode: 'numeric', 'aria-describedby': 'tip-percents-hint tip-percents-error' });
  const percentsError = h('p', { class: 'error', id: 'tip-percents-error', role: 'alert', hidden: true });
  const own = h('input', { type: 'checkbox', name: 'tip-own', checked: tips.any_amount });
  const tipSaid = h('p', { role: 'status', class: 'row-status', 'data-testid': 'tips-status' });
  const form = h('form', {},
    h('fieldset', {}, h('legend', {}, t('mgr.tip.title')),
      WAYS.map((way) => h('label', { class: 'choice' }, ways[way], ` ${t(`mgr.pay.way.${way}`)}`)),
      h('div', { class: 'field' }, h('label', { for: 'tip-percents' }, t('mgr.tip.percents')), percents,
        h('p', { class: 'note', id: 'tip-percents-hint' }, t('mgr.tip.percents_hint')), percentsError),
      h('label', { class: 'choice' }, own, ` ${t('mgr.tip.any_amount')}`)),
    h('p', { class: 'note' }, t('mgr.tip.hint')),
    tipSaid, h('button', { type: 'submit' }, t('mgr.tip.save')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    tipSaid.textContent = '';
    percentsError.hidden = true;
    const shares = percents.value.split(/[,;\s]+/).filter(Boolean).map(Number);
    if (shares.length > 4 || shares.some((p) => !Number.isInteger(p) || p < 1 || p > 50) || new Set(shares).size !== shares.length) {
      percentsError.textContent = t('mgr.tip.percents_invalid');
      percentsError.hidden = false;
      percents.focus();
      return;
    }
    try {
      const chosen = { ...Object.fromEntries(WAYS.map((way) => [way, ways[way].checked])), percents: shares, any_amount: own.checked };
      await saveRestaurant(slug, current.token, shared, { tips: chosen });
      tipSaid.textContent = t('mgr.tip.saved');
    } catch (problem) {
      tipSaid.textContent = guestMessage(problem);
    }
  });
  return form;
}

/** The account as Stripe says it is; asked again when the owner is back from Stripe's pages. */
async function accountState(slug, token, said) {
  const back = new URLSearchParams(location.search).get('payments') === 'back';
  try {
    if (back) {
      history.replaceState({}, '', location.pathname);
      const refreshed = await api('POST', `/v1/restaurants/${slug}/payments/refresh`, { token });
      said.textContent = t(refreshed.state === 'ready' ? 'mgr.pay.back_ready' : 'mgr.pay.back_pending');
      return refreshed;
    }
    return await api('GET', `/v1/restaurants/${slug}/payments`, { token });
  } catch (problem) {
    said.textContent = problem.message;
    return null;
  }
}
