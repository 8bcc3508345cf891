// The menu as a guest browses it: a bar of categories to jump to, a search, dietary filters,
// and each item with its picture, price and tags; sold-out items say so and cannot be added.
import { NOTE_MAX, h, money } from './ui.js';
import { t } from './words.js';

function picture(item, mediaBaseUrl) {
  const fallback = () => h('div', { class: 'picture placeholder', 'aria-hidden': 'true' }, item.name.slice(0, 1));
  if (!item.image_key) return fallback();
  // The smaller copies let a phone load about the 96 pixels it shows (times its density), not
  // the original; the original stays the fallback. srcset comes before src, as browsers read it.
  const srcset = (item.image_variants ?? []).map((v) => `${mediaBaseUrl}/${v.key} ${v.width}w`).join(', ');
  const image = h('img', { class: 'picture', srcset: srcset || null, sizes: srcset ? '96px' : null, src: `${mediaBaseUrl}/${item.image_key}`, alt: '', loading: 'lazy', width: 96, height: 96 });
  image.addEventListener('error', () => image.replaceWith(fallback()));
  return image;
}

function optionsForm(item, onAdd) {
  const form = h('form', { class: 'options', 'aria-label': t('options.for', { name: item.name }) });
  for (const group of item.option_groups) {
    const type = group.max_choices === 1 ? 'radio' : 'checkbox';
    const hint = group.min_choices > 0
      ? (group.min_choices === group.max_choices ? t('options.choose_exactly', { n: group.min_choices }) : t('options.choose_between', { min: group.min_choices, max: group.max_choices }))
      : t('options.up_to', { max: group.max_choices });
    form.append(h('fieldset', {}, h('legend', {}, `${group.name} (${hint})`),
      group.options.map((option, index) => h('label', {},
        h('input', { type, name: group.id, value: option.id, checked: type === 'radio' && group.min_choices > 0 && index === 0 }),
        ` ${option.name}`, option.price_delta.minor ? ` (${option.price_delta.minor > 0 ? '+' : ''}${money(option.price_delta)})` : ''))));
  }
  // No maxlength: the browser would cut a pasted note without a word. Too long is said instead.
  const noteError = h('p', { class: 'error', id: `note-error-${item.id}`, role: 'alert', hidden: true });
  form.append(h('label', {}, t('options.note'), h('input', { name: 'note', autocomplete: 'off', 'aria-describedby': noteError.id })), noteError);
  form.append(h('label', {}, `${t('options.quantity')} `, h('input', { type: 'number', name: 'quantity', min: 1, max: 99, value: 1, required: true, inputmode: 'numeric' })));
  form.append(h('button', { type: 'submit', class: 'primary' }, t('options.add')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const choices = item.option_groups.flatMap((group) => data.getAll(group.id).map((option) => ({ group: group.id, option })));
    const note = String(data.get('note') ?? '').trim();
    noteError.hidden = [...note].length <= NOTE_MAX;
    if (!noteError.hidden) {
      noteError.textContent = t('options.note_too_long', { max: NOTE_MAX, length: [...note].length });
      return form.elements.note.focus();
    }
    onAdd({ item: item.id, choices, quantity: Number(data.get('quantity')), ...(note ? { note } : {}) }, form);
  });
  return form;
}

/** `add(line, where)` puts a line in the cart and shows what happened next to `where`. */
function itemCard(item, mediaBaseUrl, add) {
  const holder = h('div');
  const feedback = h('p', { class: 'feedback', role: 'status' });
  const tags = [...item.dietary.map((d) => t(`diet.${d}`)), ...(item.allergens.length ? [t('menu.contains', { list: item.allergens.map((a) => t(`allergen.${a}`)).join(', ') })] : [])];
  return h('article', { class: `item${item.sold_out ? ' sold-out' : ''}`, 'data-item': item.id, 'data-dietary': item.dietary.join(' ') },
    picture(item, mediaBaseUrl),
    h('div', { class: 'details' },
      h('h3', {}, item.name), item.description ? h('p', {}, item.description) : '',
      tags.length ? h('p', { class: 'tags' }, tags.join(' · ')) : '',
      h('p', { class: 'price' }, money(item.price)),
      item.sold_out ? h('p', { class: 'badge' }, t('menu.sold_out'))
        : !add ? ''
        : h('button', { type: 'button', class: 'add', 'aria-label': t('menu.add_named', { name: item.name }), onclick: () => {
          if (item.option_groups.length === 0) add({ item: item.id, quantity: 1 }, feedback);
          else if (holder.firstChild) holder.replaceChildren();
          else holder.replaceChildren(optionsForm(item, (line) => { holder.replaceChildren(); add(line, feedback); }));
        } }, t('menu.add')),
      holder, feedback));
}

/** The menu with its search and filters; returns the element. */
export function menuView(menu, mediaBaseUrl, add) {
  const diets = [...new Set(menu.items.flatMap((item) => item.dietary))].sort();
  const categories = menu.categories.filter((category) => menu.items.some((item) => item.category === category.id));
  const search = h('input', { type: 'search', id: 'menu-search', placeholder: t('menu.search'), 'aria-label': t('menu.search'), autocomplete: 'off' });
  const chosen = new Set();
  const chips = diets.map((diet) => h('button', { type: 'button', class: 'chip', 'aria-pressed': 'false', onclick: (event) => {
    if (chosen.has(diet)) chosen.delete(diet); else chosen.add(diet);
    event.currentTarget.setAttribute('aria-pressed', String(chosen.has(diet)));
    filter();
  } }, t(`diet.${diet}`)));
  const empty = h('p', { class: 'note', hidden: true }, t('menu.nothing_found'));
  const sections = categories.map((category) => h('section', { class: 'category', id: `cat-${category.id}`, 'aria-labelledby': `cat-${category.id}-title` },
    h('h2', { id: `cat-${category.id}-title` }, category.name),
    menu.items.filter((item) => item.category === category.id).map((item) => itemCard(item, mediaBaseUrl, add))));
  const jump = h('nav', { class: 'jump', 'aria-label': t('menu.categories') },
    categories.map((category) => h('a', { href: `#cat-${category.id}`, onclick: (event) => {
      event.preventDefault();
      document.getElementById(`cat-${category.id}`)?.scrollIntoView({ block: 'start' });
    } }, category.name)));

  function filter() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const section of sections) {
      let inSection = 0;
      for (const card of section.querySelectorAll('.item')) {
        const item = menu.items.find((i) => i.id === card.dataset.item);
        const text = `${item.name} ${item.description ?? ''}`.toLowerCase();
        const visible = words.every((w) => text.includes(w)) && [...chosen].every((d) => item.dietary.includes(d));
        card.hidden = !visible;
        inSection += visible ? 1 : 0;
      }
      section.hidden = inSection === 0;
      shown += inSection;
    }
    empty.hidden = shown > 0;
  }
  search.addEventListener('input', filter);
  return h('div', { class: 'menu' },
    jump,
    h('div', { class: 'finder' }, search, chips.length ? h('div', { class: 'chips', role: 'group', 'aria-label': t('menu.filters') }, chips) : ''),
    empty, sections);
}
