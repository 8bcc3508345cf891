// Routes a path to its page. Every page is reachable by URL, so a reload keeps you where you were.
import { bookedPage, bookingPage } from './booking.js';
import { menuPage, orderPage } from './customer.js';
import { managePage } from './manage.js';
import { boardPage } from './staff.js';
import { h, nav, show, toast } from './ui.js';
import { guestMessage, lang } from './words.js';

document.documentElement.lang = lang();

const ROUTES = [
  [/^\/r\/([a-z0-9_-]+)\/?$/, (slug) => [menuPage(slug, null), 'Menu']],
  [/^\/r\/([a-z0-9_-]+)\/t\/([A-Za-z0-9_-]+)\/?$/, (slug, table) => [menuPage(slug, table), 'Menu']],
  [/^\/r\/([a-z0-9_-]+)\/order\/([0-9a-f]{32})$/, (slug, id) => [orderPage(slug, id, new URLSearchParams(location.search).get('token') ?? ''), null]],
  [/^\/r\/([a-z0-9_-]+)\/book$/, (slug) => [bookingPage(slug), 'Book a table']],
  [/^\/r\/([a-z0-9_-]+)\/booking\/([0-9a-f]{32})$/, (slug, id) => [bookedPage(slug, id, new URLSearchParams(location.search).get('token') ?? ''), null]],
  [/^\/r\/([a-z0-9_-]+)\/staff$/, (slug) => [boardPage(slug), 'Staff']],
  [/^\/r\/([a-z0-9_-]+)\/manage$/, (slug) => [managePage(slug), 'Manage']],
];

async function route() {
  for (const [pattern, page] of ROUTES) {
    const match = location.pathname.match(pattern);
    if (match) {
      const [slug] = match.slice(1);
      // What the last page said belongs to it: a new page starts quiet, with its own title.
      document.getElementById('toast').classList.remove('visible');
      const [loading, current] = page(...match.slice(1));
      nav(slug, current);
      document.getElementById('brand').href = `/r/${slug}/`;
      try {
        await loading;
      } catch (problem) {
        show(h('h1', {}, 'Sorry'), h('p', { role: 'alert' }, guestMessage(problem)));
      }
      const heading = document.querySelector('main h1');
      document.title = heading ? `${heading.textContent} · Bistro` : 'Bistro';
      document.getElementById('main').focus({ preventScroll: true });
      return;
    }
  }
  show(h('h1', {}, 'Bistro'), h('p', {}, 'Order and book at your restaurant.'), h('p', {}, h('a', { href: '/r/trattoria-demo/' }, 'Open the demo restaurant')));
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="/r/"]');
  if (!link || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  history.pushState({}, '', link.getAttribute('href'));
  route();
});
window.addEventListener('popstate', route);
window.addEventListener('unhandledrejection', (event) => toast(guestMessage(event.reason)));
route();
