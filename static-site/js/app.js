// Routes a path to its page. Every page is reachable by URL, so a reload keeps you where you were.
// Each page's code is fetched when its page is opened: a guest never downloads the staff's or
// the manager's.
const guest = () => import('./customer.js');
const booking = () => import('./booking.js');
import { endSession, payingKey, session } from './api.js';
import { h, nav, show, toast } from './ui.js';
import { LANGUAGES, guestMessage, lang, loadStaffWords, loadWords, setLang, t } from './words.js';

/** The guest's language, switchable on every page; the page is drawn again in it. */
function languagePicker() {
  const select = h('select', { id: 'language', 'aria-label': t('language'), onchange: async () => { await setLang(select.value); route(); } },
    Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code, selected: code === lang() }, name)));
  return select;
}

const token = () => new URLSearchParams(location.search).get('token') ?? '';
/** An order's secret: in its address, or kept while its guest paid on Stripe's page (which is never given it). */
const orderToken = (id) => token() || localStorage.getItem(payingKey(id)) || '';
/** A restaurant's address, `/r/{slug}`, and the page's path within it: read in this one place. */
const RESTAURANT_PATH = /^\/r\/([a-z0-9_-]+)(\/.*)?$/;
/** The pages of a restaurant's staff (their first path segment): they speak the staff's words. */
const STAFF_PAGES = new Set(['staff', 'driver', 'history', 'bookings', 'manage', 'setup', 'tables']);
/** A restaurant's pages, by their path within its address. */
const PAGES = [
  [/^\/?$/, (slug) => [guest().then((m) => m.menuPage(slug, null)), 'Menu']],
  [/^\/t\/([A-Za-z0-9_-]+)\/?$/, (slug, table) => [guest().then((m) => m.menuPage(slug, table)), 'Menu']],
  [/^\/order\/([0-9a-f]{32})$/, (slug, id) => [import('./order-view.js').then((m) => m.orderPage(slug, id, orderToken(id))), 'Your order']],
  [/^\/book$/, (slug) => [booking().then((m) => m.bookingPage(slug)), 'Book a table']],
  [/^\/booking\/([0-9a-f]{32})$/, (slug, id) => [booking().then((m) => m.bookedPage(slug, id, token())), 'Your booking']],
  [/^\/staff$/, (slug) => [import('./staff.js').then((m) => m.boardPage(slug)), session(slug) ? 'Orders' : 'Staff']],
  [/^\/history$/, (slug) => [import('./floor.js').then((m) => m.historyPage(slug)), 'History']],
  [/^\/bookings$/, (slug) => [import('./floor.js').then((m) => m.bookingsPage(slug)), 'Bookings']],
  [/^\/driver$/, (slug) => [import('./driver.js').then((m) => m.driverPage(slug)), 'My deliveries']],
  [/^\/manage(?:\/(menu|settings|hours|staff|reports))?$/, (slug, section) => [import('./manage.js').then((m) => m.managePage(slug, '', section ?? 'menu')), 'Manage']],
  [/^\/setup$/, (slug) => [import('./signup.js').then((m) => m.setupPage(slug)), 'Manage']],
  [/^\/tables$/, (slug) => [import('./signup.js').then((m) => m.tablesPage(slug)), 'Manage']],
];

async function route() {
  if (location.pathname === '/signup') {
    await loadStaffWords();
    document.getElementById('nav').replaceChildren();
    await import('./signup.js').then((m) => m.signUpPage());
    document.title = 'Sign up your restaurant · Bistro';
    return;
  }
  const [, slug, within = ''] = location.pathname.match(RESTAURANT_PATH) ?? [];
  for (const [pattern, page] of slug ? PAGES : []) {
    const match = within.match(pattern);
    if (match) {
      // What the last page said belongs to it: a new page starts quiet, with its own title.
      document.getElementById('toast').classList.remove('visible');
      await loadWords();
      // A staff member's screen speaks their language on the staff's links and pages too.
      if (session(slug) || STAFF_PAGES.has(match[0].split('/')[1])) await loadStaffWords();
      const [loading, current] = page(slug, ...match.slice(1));
      nav(slug, current, session(slug)?.account?.role, () => endSession(slug, 'logged_out'));
      document.getElementById('nav').append(languagePicker());
      document.getElementById('brand').href = `/r/${slug}/`;
      try {
        await loading;
      } catch (problem) {
        // A page that cannot load what its address names (a mistyped restaurant, an order gone)
        // says so in the guest's words, not as a reload that would find nothing either.
        const said = problem?.status === 404 ? t('page.not_found') : guestMessage(problem);
        show(h('h1', {}, t('page.sorry')), h('p', { role: 'alert' }, said));
      }
      const heading = document.querySelector('main h1');
      document.title = heading ? `${heading.textContent} · Bistro` : 'Bistro';
      document.getElementById('main').focus({ preventScroll: true });
      return;
    }
  }
  show(h('h1', {}, 'Bistro'), h('p', {}, 'Order and book at your restaurant.'), h('p', {}, h('a', { href: '/r/trattoria-demo/' }, 'Open the demo restaurant')),
    h('p', {}, h('a', { href: '/signup' }, 'Sign up your restaurant')));
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="/r/"]');
  if (!link || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  history.pushState({}, '', link.getAttribute('href'));
  route();
});
window.addEventListener('popstate', route);
// A login that ended (expired, revoked, logged out) leads back to its page's login form, here.
window.addEventListener('bistro:session-ended', () => route());
window.addEventListener('unhandledrejection', (event) => toast(guestMessage(event.reason)));
route();
