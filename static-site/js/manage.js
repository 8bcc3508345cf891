// Manager tools: prices, sold-out, pictures, and staff accounts.
import { api, config, session } from './api.js';
import { h, money, show, useStaffStyles } from './ui.js';
import { itemEditor } from './item-editor.js';
import { categoriesSection } from './categories.js';
import { savedGroupsSection } from './saved-groups.js';
import { settingsForm } from './settings.js';
import { basicsForm, bookingsForm, servingForm } from './restaurant-forms.js';
import { salesSection } from './sales.js';
import { yourDataSection } from './your-data.js';
import { teamSection } from './team.js';
import { loginForm } from './staff.js';
import { guestMessage, t } from './words.js';

useStaffStyles();

const TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_BYTES = 5 * 1024 * 1024;

function upload(grant, file, progress) {
  // XMLHttpRequest, because fetch cannot report upload progress.
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(grant.method, grant.url);
    for (const header of grant.headers) if (header.name.toLowerCase() !== 'host' && header.name.toLowerCase() !== 'content-length') request.setRequestHeader(header.name, header.value);
    request.upload.addEventListener('progress', (event) => { if (event.lengthComputable) progress.value = event.loaded / event.total; });
    request.addEventListener('load', () => (request.status < 300 ? resolve() : reject(new Error(`the upload was refused (${request.status})`))));
    request.addEventListener('error', () => reject(new Error('the upload failed')));
    request.send(file);
  });
}

/** The widths of the smaller copies made of a picture, for phones (`srcset`). */
const COPY_WIDTHS = [320, 640];

/**
 * Smaller JPEG copies of a picture, each only where the picture is wider: the browser that
 * uploads the picture makes them, so no server decodes a 5 MB upload. None if the browser cannot
 * read the file (the server then says why it refuses it).
 */
async function smallerCopies(file) {
  let bitmap;
  try { bitmap = await createImageBitmap(file); } catch { return []; }
  const copies = [];
  for (const width of COPY_WIDTHS.filter((w) => w < bitmap.width)) {
    const canvas = h('canvas', { width, height: Math.round((bitmap.height * width) / bitmap.width) });
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((done) => canvas.toBlob(done, 'image/jpeg', 0.82));
    if (blob) copies.push({ width, blob });
  }
  bitmap.close();
  return copies;
}

/** Asks for an upload link for `file`, uploads it, and returns the key to attach. */
async function uploadOne(slug, token, file, progress) {
  const grant = await api('POST', `/v1/restaurants/${slug}/menu/images`, { token, body: { content_type: file.type, size: file.size } });
  await upload(grant, file, progress);
  return grant.image_key;
}

/**
 * One dish in the manager's list: its picture, name, price and sold-out switch at a glance, and
 * an edit panel (opened by "Edit …") with the price, the picture, its place in the category, every
 * detail, and deleting it.
 */
function dishCard(slug, token, start, mediaBaseUrl, menu, move) {
  let item = start;
  let open = false;
  const card = h('li', { class: 'dish', 'data-item': item.id });
  // What the last action on this dish did, said next to it.
  const said = h('p', { role: 'status', class: 'row-status' });
  const say = (message, isError) => { said.textContent = message; said.classList.toggle('error', Boolean(isError)); };
  function render() {
    const panelId = `dish-panel-${item.id}`;
    const head = h('div', { class: 'dish-head' },
      item.image_key ? h('img', { class: 'thumb', src: `${mediaBaseUrl}/${item.image_key}`, alt: '' }) : h('span', { class: 'thumb no-picture', 'aria-hidden': 'true' }),
      h('h3', {}, item.name),
      h('span', { class: 'price' }, money(item.price)),
      h('label', { class: 'choice' }, h('input', { type: 'checkbox', checked: item.sold_out, onchange: (e) => setSoldOut(e.target.checked) }), ` ${t('staff.sold_out')}`),
      h('button', { type: 'button', 'aria-expanded': String(open), 'aria-controls': panelId, onclick: () => { open = !open; render(); } }, t(open ? 'mgr.close_named' : 'mgr.edit_named', { name: item.name })));
    card.replaceChildren(head, said, open ? panel(panelId) : '');
  }
  function panel(id) {
    return h('div', { class: 'dish-panel', id },
      pictureField(),
      moveButtons(),
      itemEditor(slug, token, menu.categories, menu.currency, item, (saved) => { item = saved; render(); say(`${saved.name} saved.`); }, menu.savedGroups),
      h('p', { class: 'remove' }, h('button', { type: 'button', class: 'link', onclick: (event) => removeAsk(event.target.parentElement) }, t('mgr.delete_named', { name: item.name }))));
  }
  /** The picture, chosen in the panel: uploaded with smaller copies for phones, then attached. */
  function pictureField() {
    const progress = h('progress', { max: 1, value: 0, hidden: true });
    const file = h('input', { type: 'file', accept: TYPES.join(','), 'aria-label': t('mgr.picture_for', { name: item.name }) });
    file.addEventListener('change', async () => {
      const chosen = file.files[0];
      if (!chosen) return;
      if (!TYPES.includes(chosen.type)) return say(t('mgr.picture_types'), true);
      if (chosen.size > MAX_BYTES) return say(t('mgr.picture_size'), true);
      try {
        progress.hidden = false;
        const imageKey = await uploadOne(slug, token, chosen, progress);
        const variants = [];
        for (const copy of await smallerCopies(chosen)) variants.push({ key: await uploadOne(slug, token, copy.blob, progress), width: copy.width });
        if (await save({ image_key: imageKey, image_variants: variants }, `${t('mgr.picture_refused')} `)) say(t('mgr.picture_updated', { name: item.name }));
      } catch (problem) { say(`${t('mgr.picture_refused')} ${guestMessage(problem)}`, true); } finally { progress.hidden = true; }
    });
    return h('p', { class: 'field' }, h('span', {}, `${t('mgr.picture')} `), file, progress, h('small', {}, ` ${t('mgr.picture_hint')}`));
  }
  /** Up and down within its category: the guest's menu shows the dishes in this order. */
  function moveButtons() {
    const same = menu.items.filter((i) => i.category === item.category);
    const index = same.findIndex((i) => i.id === item.id);
    return h('p', { class: 'move' }, `${t('mgr.place_in_category')} `,
      h('button', { type: 'button', disabled: index <= 0, 'aria-label': t('mgr.move_up', { name: item.name }), onclick: () => move(item, -1, say) }, '↑'),
      h('button', { type: 'button', disabled: index === same.length - 1, 'aria-label': t('mgr.move_down', { name: item.name }), onclick: () => move(item, 1, say) }, '↓'));
  }
  /** Saves a change; true when stored, else the reason is said beside the dish. */
  async function save(change, refused = '') {
    const { id, version, ...details } = item;
    try {
      item = await api('PUT', `/v1/restaurants/${slug}/menu/items/${id}`, { token, body: { item: { ...details, ...change }, version } });
      render();
      return true;
    } catch (problem) {
      say(`${refused}${guestMessage(problem)}`, true);
      return false;
    }
  }
  async function setSoldOut(soldOut) {
    try {
      item = await api('PUT', `/v1/restaurants/${slug}/menu/items/${item.id}/sold-out`, { token, body: { sold_out: soldOut, version: item.version } });
      render();
      say(t(soldOut ? 'mgr.sold_out_named' : 'mgr.back_named', { name: item.name }));
    } catch (problem) { say(guestMessage(problem), true); }
  }
  function removeAsk(place) {
    place.replaceChildren(`${t('mgr.delete_ask', { name: item.name })} `,
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        try {
          await api('DELETE', `/v1/restaurants/${slug}/menu/items/${item.id}?version=${item.version}`, { token });
          card.replaceChildren(h('p', { role: 'status' }, t('mgr.deleted_named', { name: item.name })));
        } catch (problem) { say(guestMessage(problem), true); render(); }
      } }, t('mgr.yes_delete')),
      h('button', { type: 'button', onclick: () => render() }, t('staff.keep_it')));
  }
  render();
  return card;
}

/** The manager's sections, each at its own address (`/manage/{section}`; the menu at `/manage`). */
export const SECTIONS = [['menu', 'mgr.section.menu'], ['settings', 'mgr.section.settings'], ['hours', 'mgr.section.hours'], ['staff', 'mgr.section.staff'], ['reports', 'mgr.section.reports']];

function sectionNav(slug, section) {
  return h('nav', { class: 'sections', 'aria-label': t('staff.manage') }, SECTIONS.map(([id, label]) =>
    h('a', { href: `/r/${slug}/manage/${id}`, 'aria-current': id === section ? 'page' : null }, t(label))));
}

export async function managePage(slug, notice = '', section = 'menu') {
  const current = session(slug);
  if (!current) return loginForm(slug, t('staff.manage'));
  if (!['owner', 'manager'].includes(current.account.role)) {
    return show(h('h1', {}, t('staff.manage')), h('p', { role: 'alert' }, `${t('mgr.managers_only')} `, h('a', { href: `/r/${slug}/staff` }, t('mgr.open_orders'))));
  }
  if (section !== 'menu') return otherSection(slug, current, section);
  const { mediaBaseUrl } = await config();
  // One read after the other: a client held to a request a second gets each through on its one retry.
  const menu = await api('GET', `/v1/restaurants/${slug}/menu?limit=200`);
  const saved = await api('GET', `/v1/restaurants/${slug}/menu/option-groups`, { token: current.token });
  menu.savedGroups = saved.map((entry) => entry.group);
  const reload = (saved) => managePage(slug, saved?.name ? t('mgr.on_the_menu', { name: saved.name }) : '');
  /** Moves a dish one place within its category, numbering the category's dishes 10, 20, …. */
  async function moveItem(item, step, say) {
    const same = menu.items.filter((i) => i.category === item.category);
    const index = same.findIndex((i) => i.id === item.id);
    [same[index], same[index + step]] = [same[index + step], same[index]];
    try {
      for (const [n, dish] of same.entries()) {
        const position = (n + 1) * 10;
        if (dish.position === position) continue;
        // Only the position changes, over the dish as stored now; another move made meanwhile
        // is not written over: the page is drawn as it is now instead.
        const { id, version, ...details } = await api('GET', `/v1/restaurants/${slug}/menu/items/${dish.id}`);
        if (details.position !== dish.position) return managePage(slug, t('mgr.order_changed', { name: dish.name }));
        await api('PUT', `/v1/restaurants/${slug}/menu/items/${id}`, { token: current.token, body: { item: { ...details, position }, version } });
      }
      managePage(slug, t('mgr.moved', { name: item.name }));
    } catch (problem) { say(guestMessage(problem), true); }
  }
  const redraw = () => managePage(slug);
  // The login ended while this page was reading: the login form is drawn instead.
  if (!session(slug)) return;
  show(sectionNav(slug, 'menu'), h('h1', {}, t('mgr.menu_title')), h('p', { role: 'status', 'data-testid': 'manage-notice' }, notice),
    h('h2', {}, t('mgr.dishes')),
    h('ul', { class: 'dishes', 'data-testid': 'dishes' }, menu.items.map((item) => dishCard(slug, current.token, item, mediaBaseUrl, menu, moveItem))),
    h('p', { class: 'note' }, t('mgr.prices_in', { currency: menu.currency })),
    h('details', {}, h('summary', {}, t('mgr.add_item')), itemEditor(slug, current.token, menu.categories, menu.currency, null, reload, menu.savedGroups)),
    categoriesSection(slug, current.token, menu, redraw),
    savedGroupsSection(slug, current.token, menu, saved, (said) => managePage(slug, said)));
}

/** The sections other than the menu: the restaurant's settings, its hours, its staff, its sales. */
async function otherSection(slug, current, section) {
  const { token } = current;
  // The restaurant as this page read it, shared by its forms (restaurant-forms.js says why).
  const shared = ['settings', 'hours'].includes(section) ? await api('GET', `/v1/restaurants/${slug}`) : null;
  const parts = {
    settings: async () => [h('h1', {}, t('mgr.settings_title')), h('h2', {}, t('mgr.settings_subtitle')), basicsForm(slug, token, shared), servingForm(slug, token, shared),
      h('p', {}, h('a', { href: `/r/${slug}/tables` }, t('mgr.print_qr'))), bookingsForm(slug, token, shared),
      await import('./payments.js').then((m) => m.paymentsSection(slug, current, shared))],
    hours: () => [h('h1', {}, t('mgr.section.hours')), settingsForm(slug, token, shared)],
    staff: async () => [h('h1', {}, t('mgr.team_title')), await teamSection(slug, current)],
    reports: async () => [h('h1', {}, t('mgr.reports_title')), await salesSection(slug, token),
      current.account.role === 'owner' ? yourDataSection(slug, token) : ''],
  };
  const shown = await (parts[section] ?? parts.settings)();
  // The login ended while this page was reading: the login form is drawn instead.
  if (!session(slug)) return;
  show(sectionNav(slug, section), ...shown);
}
