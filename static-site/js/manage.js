// Manager tools: prices, sold-out, pictures, and staff accounts.
import { api, config, session } from './api.js';
import { h, show, toast } from './ui.js';
import { categoryForm, itemEditor } from './item-editor.js';
import { settingsForm } from './settings.js';
import { loginForm } from './staff.js';

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

function itemRow(slug, token, start, mediaBaseUrl, menu) {
  let item = start;
  const row = h('tr');
  function render() {
    const price = h('input', { type: 'number', step: '0.01', min: 0, value: (item.price.minor / 100).toFixed(2), 'aria-label': `Price of ${item.name}` });
    const progress = h('progress', { max: 1, value: 0, hidden: true });
    const file = h('input', { type: 'file', accept: TYPES.join(','), 'aria-label': `Picture for ${item.name}` });
    file.addEventListener('change', async () => {
      const chosen = file.files[0];
      if (!chosen) return;
      if (!TYPES.includes(chosen.type)) return toast('Pictures must be JPEG, PNG or WebP.');
      if (chosen.size > MAX_BYTES) return toast('Pictures can be at most 5 MB.');
      try {
        progress.hidden = false;
        const grant = await api('POST', `/v1/restaurants/${slug}/menu/images`, { token, body: { content_type: chosen.type, size: chosen.size } });
        await upload(grant, chosen, progress);
        await save({ image_key: grant.image_key });
        toast('Picture updated');
      } catch (problem) { toast(problem.message); }
    });
    row.replaceChildren(
      h('td', {}, item.image_key ? h('img', { class: 'thumb', src: `${mediaBaseUrl}/${item.image_key}`, alt: '' }) : ''),
      h('th', { scope: 'row' }, item.name),
      h('td', {}, price, h('button', { type: 'button', onclick: () => save({ price: { minor: Math.round(Number(price.value) * 100), currency: item.price.currency } }) }, 'Save')),
      h('td', {}, h('label', {}, h('input', { type: 'checkbox', checked: item.sold_out, onchange: (e) => setSoldOut(e.target.checked) }), ' Sold out')),
      h('td', {}, file, progress, h('small', {}, ' JPEG, PNG or WebP, up to 5 MB')),
      h('td', {}, h('details', {}, h('summary', {}, 'Edit'),
        itemEditor(slug, token, menu.categories, menu.currency, item, (saved) => { item = saved; render(); }))));
  }
  async function save(change) {
    const { id, version, ...details } = item;
    try {
      item = await api('PUT', `/v1/restaurants/${slug}/menu/items/${id}`, { token, body: { item: { ...details, ...change }, version } });
      render();
    } catch (problem) { toast(problem.message); }
  }
  async function setSoldOut(soldOut) {
    try {
      item = await api('PUT', `/v1/restaurants/${slug}/menu/items/${item.id}/sold-out`, { token, body: { sold_out: soldOut, version: item.version } });
      toast(soldOut ? `${item.name} is sold out` : `${item.name} is back`);
      render();
    } catch (problem) { toast(problem.message); }
  }
  render();
  return row;
}

function staffForm(slug, token) {
  const form = h('form', { 'aria-label': 'Add a staff account' },
    h('label', {}, 'E-mail ', h('input', { name: 'email', type: 'email', required: true })),
    h('label', {}, 'Name ', h('input', { name: 'name', required: true })),
    h('label', {}, 'Password (10+ characters) ', h('input', { name: 'password', type: 'password', minlength: 10, required: true })),
    h('label', {}, 'Role ', h('select', { name: 'role' }, ['staff', 'manager', 'driver'].map((role) => h('option', { value: role }, role)))),
    h('button', { type: 'submit' }, 'Add'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    try {
      await api('POST', `/v1/restaurants/${slug}/staff`, { token, body: data });
      toast(`${data.email} can log in now`);
      form.reset();
    } catch (problem) { toast(problem.message); }
  });
  return form;
}

export async function managePage(slug) {
  const current = session(slug);
  if (!current) return loginForm(slug, 'Manage');
  if (!['owner', 'manager'].includes(current.account.role)) {
    return show(h('h1', {}, 'Manage'), h('p', { role: 'alert' }, 'This page is for the restaurant\'s managers. ', h('a', { href: `/r/${slug}/staff` }, 'Open the orders')));
  }
  const { mediaBaseUrl } = await config();
  const menu = await api('GET', `/v1/restaurants/${slug}/menu?limit=200`);
  const reload = () => managePage(slug);
  const settings = await settingsForm(slug, current.token);
  // The login ended while this page was reading: the login form is drawn instead.
  if (!session(slug)) return;
  show(h('h1', {}, 'Menu'),
    h('table', { class: 'manage' }, h('thead', {}, h('tr', {}, ['', 'Item', 'Price', 'Availability', 'Picture', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, menu.items.map((item) => itemRow(slug, current.token, item, mediaBaseUrl, menu)))),
    h('p', { class: 'note' }, `Prices in ${menu.currency}.`),
    h('details', {}, h('summary', {}, 'Add an item'), itemEditor(slug, current.token, menu.categories, menu.currency, null, reload)),
    h('details', {}, h('summary', {}, 'Add a category'), categoryForm(slug, current.token, reload)),
    h('h2', {}, 'Opening hours and tables'), settings,
    h('h2', {}, 'Staff'), staffForm(slug, current.token));
}
