// Creating and editing a menu item in full: text, category, allergens, dietary tags, options.
import { api } from './api.js';
import { amountText, parseAmount } from './amounts.js';
import { decimalsOf, h, money } from './ui.js';
import { t } from './words.js';

const ALLERGENS = ['gluten', 'crustaceans', 'eggs', 'fish', 'peanuts', 'soybeans', 'milk', 'nuts', 'celery', 'mustard', 'sesame', 'sulphites', 'lupin', 'molluscs'];
const DIETARY = ['vegetarian', 'vegan', 'gluten_free', 'dairy_free', 'halal', 'kosher', 'spicy'];

/** Checkboxes for each of `all`, named in the guests' own words for them (`{words}.{value}`). */
function checkboxes(legend, name, all, chosen, words) {
  return h('fieldset', {}, h('legend', {}, legend),
    all.map((value) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name, value, checked: chosen.includes(value) }), ` ${t(`${words}.${value}`)}`)));
}

/** An id in the menu's alphabet from a name ("Extra cheese" → "extra-cheese"), unique among `taken`. */
export function idFrom(name, taken) {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'option';
  let id = base;
  for (let n = 2; taken.includes(id); n += 1) id = `${base}-${n}`;
  return id;
}

/**
 * Option groups edited as a form: each group's name and how many choices a guest makes (at least,
 * at most), and its options with their price difference. A dish's copy of a saved group is shown,
 * not edited (it changes with the saved group), and saved groups not on the dish may be added.
 * Returns the element and `read()`, which gives the groups as the API takes them or a message
 * saying what to fix. `single`: one group, edited alone (a saved group itself).
 */
export function optionGroupsEditor(groups, currency, { saved = [], single = false } = {}) {
  // Working copies: ids stay as they were for what exists, new ones come from the names.
  const state = (groups ?? []).map((g) => ({ ...g, options: g.options.map((o) => ({ ...o, price: amountText(o.price_delta.minor, currency) })) }));
  const box = h('div', { class: 'option-groups' });
  const savedCopy = (group, gi) => h('fieldset', { class: 'option-group saved' }, h('legend', {}, group.name),
    h('p', { class: 'note' }, t('mgr.item.saved_copy', { options: group.options.map((o) => o.name).join(', ') })),
    h('button', { type: 'button', class: 'link', onclick: () => { state.splice(gi, 1); render(); } }, t('mgr.item.remove_group', { name: group.name })));
  const addSaved = () => {
    const unused = saved.filter((g) => !state.some((s) => s.id === g.id));
    if (!unused.length) return '';
    const select = h('select', { 'aria-label': t('mgr.item.saved_group') }, unused.map((g) => h('option', { value: g.id }, g.name)));
    return h('span', { class: 'inline-field' }, select, h('button', { type: 'button', onclick: () => {
      const group = unused.find((g) => g.id === select.value);
      state.push({ ...group, saved: true, options: group.options.map((o) => ({ ...o, price: amountText(o.price_delta.minor, currency) })) });
      render();
    } }, t('mgr.item.add_saved')));
  };
  const render = () => {
    box.replaceChildren(...state.map((group, gi) => {
      if (group.saved) return savedCopy(group, gi);
      const field = (label, value, onInput, attrs = {}) => {
        const id = `g${gi}-${label.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2, 7)}`;
        return h('span', { class: 'inline-field' }, h('label', { for: id }, label), h('input', { id, value, oninput: (e) => onInput(e.target.value), ...attrs }));
      };
      return h('fieldset', { class: 'option-group' }, h('legend', {}, group.name || t('mgr.item.new_group')),
        field(t('mgr.item.group_name'), group.name, (v) => { group.name = v; }, { required: true, maxlength: 100 }),
        field(t('mgr.item.at_least'), group.min_choices, (v) => { group.min_choices = Number(v); }, { type: 'number', min: 0, max: 20, inputmode: 'numeric' }),
        field(t('mgr.item.at_most'), group.max_choices, (v) => { group.max_choices = Number(v); }, { type: 'number', min: 1, max: 20, inputmode: 'numeric' }),
        h('ul', {}, group.options.map((option, oi) => h('li', {},
          field(t('mgr.item.option'), option.name, (v) => { option.name = v; }, { required: true, maxlength: 100 }),
          field(t('mgr.item.price_difference', { currency }), option.price, (v) => { option.price = v; }, { inputmode: 'decimal' }),
          h('button', { type: 'button', class: 'link', onclick: () => { group.options.splice(oi, 1); render(); } }, t('mgr.item.remove_option', { name: option.name || t('mgr.item.option') }))))),
        h('button', { type: 'button', onclick: () => { group.options.push({ name: '', price: amountText(0, currency) }); render(); } }, t('mgr.item.add_option')),
        single ? '' : h('button', { type: 'button', class: 'link', onclick: () => { state.splice(gi, 1); render(); } }, t('mgr.item.remove_group', { name: group.name })));
    }), single && state.length ? '' : h('button', { type: 'button', onclick: () => { state.push({ name: '', min_choices: 0, max_choices: 1, options: [{ name: '', price: amountText(0, currency) }] }); render(); } }, t('mgr.item.add_group')),
    single ? '' : addSaved());
  };
  render();
  function read() {
    const groupIds = [];
    const out = [];
    for (const group of state) {
      // A saved group's copy is the saved group: the server writes it as it is now.
      if (group.saved) {
        groupIds.push(group.id);
        out.push({ id: group.id, name: group.name, min_choices: group.min_choices, max_choices: group.max_choices, options: group.options.map(({ id, name, price_delta }) => ({ id, name, price_delta })), saved: true });
        continue;
      }
      if (!group.name.trim()) return { problem: t('mgr.item.group_needs_name') };
      if (group.options.length === 0) return { problem: t('mgr.item.group_needs_option', { name: group.name }) };
      if (!(group.min_choices <= group.max_choices && group.max_choices <= group.options.length)) {
        return { problem: t('mgr.item.choices_do_not_fit', { name: group.name, min: group.min_choices, max: group.max_choices, count: group.options.length }) };
      }
      const id = group.id ?? idFrom(group.name, groupIds);
      groupIds.push(id);
      const optionIds = [];
      const options = [];
      for (const option of group.options) {
        if (!option.name.trim()) return { problem: t('mgr.item.option_needs_name', { name: group.name }) };
        const minor = parseAmount(option.price || '0', currency);
        if (minor === null) return { problem: t('mgr.item.difference_not_amount', { name: option.name, currency }) };
        const optionId = option.id ?? idFrom(option.name, optionIds);
        optionIds.push(optionId);
        options.push({ id: optionId, name: option.name.trim(), price_delta: { minor, currency } });
      }
      out.push({ id, name: group.name.trim(), min_choices: group.min_choices, max_choices: group.max_choices, options });
    }
    return { groups: out };
  }
  return { element: box, read };
}

/// A form for `item` (or a new one when `item` is null); `onSaved` gets the stored item.
export function itemEditor(slug, token, categories, currency, item, onSaved, savedGroups = []) {
  const details = item ?? { category: categories[0]?.id, name: '', description: '', price: null, allergens: [], dietary: [], option_groups: [] };
  const key = item?.id ?? 'new';
  const errorFor = (name) => h('p', { class: 'error', id: `${key}-${name}-error`, role: 'alert', hidden: true });
  const errors = { price: errorFor('price'), options: errorFor('options'), general: errorFor('general') };
  const options = optionGroupsEditor(details.option_groups, currency, { saved: savedGroups });
  const status = h('p', { role: 'status', class: 'saved' });
  const priceId = `${key}-price`;
  const form = h('form', { class: 'editor', 'aria-label': item ? t('mgr.edit_named', { name: item.name }) : t('mgr.item.new'), novalidate: true },
    h('label', {}, `${t('mgr.item.name')} `, h('input', { name: 'name', value: details.name, required: true, maxlength: 100 })),
    h('label', {}, `${t('mgr.item.description')} `, h('textarea', { name: 'description', rows: 2, maxlength: 1000 }, details.description)),
    h('label', {}, `${t('mgr.item.category')} `, h('select', { name: 'category' }, categories.map((c) => h('option', { value: c.id, selected: c.id === details.category }, c.name)))),
    h('label', { for: priceId }, t('mgr.item.price', { currency })),
    h('input', { id: priceId, name: 'price', inputmode: 'decimal', value: details.price ? amountText(details.price.minor, currency) : '', required: true, 'aria-describedby': `${key}-price-error` }),
    errors.price,
    checkboxes(t('mgr.item.allergens'), 'allergens', ALLERGENS, details.allergens, 'allergen'),
    checkboxes(t('mgr.item.dietary'), 'dietary', DIETARY, details.dietary, 'diet'),
    h('fieldset', {}, h('legend', {}, t('mgr.item.choices')), options.element, errors.options),
    errors.general,
    h('button', { type: 'submit' }, item ? t('mgr.item.save') : t('mgr.item.add')), status);
  // A price of nothing, or of more than a thousand, is asked about once: a slip of the keyboard
  // would put it before every guest. Saving the same price again means it is meant.
  let asked = null;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const box of Object.values(errors)) box.hidden = true;
    status.textContent = '';
    const fail = (where, message) => { errors[where].textContent = message; errors[where].hidden = false; };
    const data = new FormData(form);
    const minor = parseAmount(data.get('price'), currency);
    if (minor === null) return fail('price', data.get('price').trim() ? t('mgr.item.price_format', { currency, example: amountText(1250, currency) }) : t('mgr.item.price_needed'));
    const unusual = minor === 0 ? t('mgr.item.free') : minor > 1000 * 10 ** decimalsOf(currency) ? t('mgr.item.so_much', { price: money({ minor, currency }) }) : null;
    if (unusual && asked !== minor) {
      asked = minor;
      return fail('price', `${unusual} ${t('mgr.item.press_again', { button: item ? t('mgr.item.save') : t('mgr.item.add') })}`);
    }
    const read = options.read();
    if (read.problem) return fail('options', read.problem);
    try {
      const body = {
        ...(item ? Object.fromEntries(Object.entries(item).filter(([k]) => !['id', 'version'].includes(k))) : {}),
        name: data.get('name'), description: data.get('description'), category: data.get('category'),
        price: { minor, currency }, allergens: data.getAll('allergens'), dietary: data.getAll('dietary'), option_groups: read.groups,
      };
      const saved = item
        ? await api('PUT', `/v1/restaurants/${slug}/menu/items/${item.id}`, { token, body: { item: body, version: item.version } })
        : await api('POST', `/v1/restaurants/${slug}/menu/items`, { token, body: { item: body } });
      status.textContent = `${saved.name} saved.`;
      onSaved(saved);
    } catch (problem) {
      const where = problem.field?.includes('price') && !problem.field?.includes('option') ? 'price' : problem.field?.includes('option') ? 'options' : 'general';
      fail(where, problem.message);
    }
  });
  return form;
}
