// Small DOM helpers: build elements, format money, tell the user things.
import { t } from './words.js';

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** The staff pages' own styles (staff.css), added once by each staff page: guests never fetch them. */
export function useStaffStyles() {
  if (document.querySelector('link[href="/staff.css"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/staff.css' }));
}

export function show(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes);
}

const digits = new Map();
/** An amount in the page's language, with as many decimals as its currency has (JPY: none). */
export function money(amount) {
  const { minor, currency } = amount;
  const locale = document.documentElement.lang || undefined;
  const value = minor / 10 ** decimalsOf(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(value);
}

/** How many decimals `currency` has (EUR 2, JPY 0). */
export function decimalsOf(currency) {
  if (!digits.has(currency)) {
    digits.set(currency, new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits);
  }
  return digits.get(currency);
}

export function toast(message) {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.classList.add('visible');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove('visible'), 5000);
}

export function localTime(iso, timeZone) {
  return new Date(iso).toLocaleString(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The page's links: what a guest uses, then what the signed-in role may open (the board for the
 * floor, the manager's pages for managers and owners), or the staff's way in; `logout` when
 * signed in.
 */
export function nav(slug, current, role, logout) {
  // The guest's links speak the guest's language; `current` names a page in English either way.
  const links = [['Menu', `/r/${slug}/`, t('nav.menu')], ['Book a table', `/r/${slug}/book`, t('nav.book')]];
  // Guests' pages offer guests' links only; the staff's way in shows on the staff's pages.
  const guestsPage = ['Menu', 'Book a table', 'Your order', 'Your booking'].includes(current);
  if (!role && !guestsPage) links.push(['Staff', `/r/${slug}/staff`, t('nav.staff')]);
  if (['owner', 'manager', 'staff'].includes(role)) {
    links.push(['Orders', `/r/${slug}/staff`, t('staff.orders')], ['History', `/r/${slug}/history`, t('staff.history')], ['Bookings', `/r/${slug}/bookings`, t('staff.bookings')]);
  }
  if (role === 'driver') links.push(['My deliveries', `/r/${slug}/driver`, t('staff.my_deliveries')]);
  if (['owner', 'manager'].includes(role)) links.push(['Manage', `/r/${slug}/manage`, t('staff.manage')]);
  document.getElementById('nav').replaceChildren(
    ...links.map(([page, href, label = page]) => h('a', { href, 'aria-current': page === current ? 'page' : null }, label)),
    role ? h('button', { type: 'button', class: 'link', 'data-testid': 'logout', onclick: logout }, t('staff.log_out')) : '',
  );
}

/** Shows the navigation's "Book a table" only where the restaurant takes bookings online. */
export function showBookingLink(offered) {
  const link = document.querySelector('#nav a[href$="/book"]');
  if (link) link.hidden = !offered;
}

/// Makes `form` submit through `action` at most once at a time, with one idempotency key for
/// all its attempts: a double click or a retry after a timeout cannot create two of anything.
/// `action(data, idempotencyKey)` returns the path to go to next; `fail(problem)` says why not.
export function submitOnce(form, button, action, fail = (problem) => toast(problem.message)) {
  const idempotencyKey = crypto.randomUUID();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    try {
      const next = await action(new FormData(form), idempotencyKey);
      history.pushState({}, '', next);
      window.dispatchEvent(new PopStateEvent('popstate'));
    } catch (problem) {
      fail(problem);
      button.disabled = false;
    }
  });
}

/** The longest note a cart line or a reason takes (the domain's `Note::MAX_CHARS`). */
export const NOTE_MAX = 280;
