// Creating and editing a menu item in full: text, category, allergens, dietary tags, options.
import { api } from './api.js';
import { h, toast } from './ui.js';

const ALLERGENS = ['gluten', 'crustaceans', 'eggs', 'fish', 'peanuts', 'soybeans', 'milk', 'nuts', 'celery', 'mustard', 'sesame', 'sulphites', 'lupin', 'molluscs'];
const DIETARY = ['vegetarian', 'vegan', 'gluten_free', 'dairy_free', 'halal', 'kosher', 'spicy'];

function checkboxes(legend, name, all, chosen) {
  return h('fieldset', {}, h('legend', {}, legend),
    all.map((value) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name, value, checked: chosen.includes(value) }), ` ${value.replace('_', ' ')}`)));
}

/// A form for `item` (or a new one when `item` is null); `onSaved` gets the stored item.
export function itemEditor(slug, token, categories, currency, item, onSaved) {
  const details = item ?? { category: categories[0]?.id, name: '', description: '', price: { minor: 0, currency }, allergens: [], dietary: [], option_groups: [] };
  const form = h('form', { class: 'editor', 'aria-label': item ? `Edit ${item.name}` : 'New item' },
    h('label', {}, 'Name ', h('input', { name: 'name', value: details.name, required: true, maxlength: 100 })),
    h('label', {}, 'Description ', h('textarea', { name: 'description', rows: 2, maxlength: 1000 }, details.description)),
    h('label', {}, 'Category ', h('select', { name: 'category' }, categories.map((c) => h('option', { value: c.id, selected: c.id === details.category }, c.name)))),
    h('label', {}, `Price (${currency}) `, h('input', { name: 'price', type: 'number', step: '0.01', min: 0, value: (details.price.minor / 100).toFixed(2), required: true })),
    checkboxes('Allergens (EU 14)', 'allergens', ALLERGENS, details.allergens),
    checkboxes('Dietary', 'dietary', DIETARY, details.dietary),
    h('label', {}, 'Option groups (JSON: [{"id","name","min_choices","max_choices","options":[{"id","name","price_delta":{"minor","currency"}}]}]) ',
      h('textarea', { name: 'options', rows: 4, spellcheck: 'false' }, JSON.stringify(details.option_groups ?? [], null, 1))),
    h('button', { type: 'submit' }, item ? 'Save item' : 'Add item'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const body = {
        ...(item ? Object.fromEntries(Object.entries(item).filter(([k]) => !['id', 'version'].includes(k))) : {}),
        name: data.get('name'), description: data.get('description'), category: data.get('category'),
        price: { minor: Math.round(Number(data.get('price')) * 100), currency },
        allergens: data.getAll('allergens'), dietary: data.getAll('dietary'),
        option_groups: JSON.parse(data.get('options') || '[]'),
      };
      const saved = item
        ? await api('PUT', `/v1/restaurants/${slug}/menu/items/${item.id}`, { token, body: { item: body, version: item.version } })
        : await api('POST', `/v1/restaurants/${slug}/menu/items`, { token, body: { item: body } });
      toast(`${saved.name} saved`);
      onSaved(saved);
    } catch (problem) { toast(problem instanceof SyntaxError ? 'The option groups are not valid JSON' : problem.message); }
  });
  return form;
}

export function categoryForm(slug, token, onSaved) {
  const form = h('form', { 'aria-label': 'New category' },
    h('label', {}, 'Category id (a-z, 0-9, -) ', h('input', { name: 'id', required: true, pattern: '[a-z0-9][a-z0-9_-]*' })),
    h('label', {}, 'Name ', h('input', { name: 'name', required: true })),
    h('label', {}, 'Position ', h('input', { name: 'position', type: 'number', min: 0, value: 100 })),
    h('button', { type: 'submit' }, 'Add category'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api('POST', `/v1/restaurants/${slug}/menu/categories`, { token, body: { id: data.get('id'), name: data.get('name'), position: Number(data.get('position')) } });
      toast('Category added');
      onSaved();
    } catch (problem) { toast(problem.message); }
  });
  return form;
}
