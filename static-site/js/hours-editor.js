// The weekly opening hours and the closed dates as a manager edits them: each day's openings as
// pairs of time pickers (several a day; one that closes at or before it opens runs past
// midnight), and closures picked from a calendar. `read()` gives them as the API takes them, or
// null with what to fix said next to the day.
import { h } from './ui.js';
import { t } from './words.js';

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const hhmm = (time) => time.slice(0, 5);

/** What an opening means in words: past midnight, or all day. */
function reading(opens, closes) {
  if (!opens || !closes) return '';
  if (opens === closes) return t('mgr.hours.all_day');
  return closes < opens ? t('mgr.hours.next_day') : '';
}

export function hoursEditor(hours) {
  const days = new Map();
  function dayRow(day, label, openings) {
    const list = h('div', { class: 'openings' });
    const error = h('p', { class: 'error', id: `${day}-hours-error`, role: 'alert', hidden: true });
    const closedNote = h('span', { class: 'note' }, t('mgr.hours.closed'));
    const refresh = () => { closedNote.hidden = list.children.length > 0; };
    const opening = (opens = '', closes = '') => {
      const n = list.children.length + 1;
      const from = h('input', { type: 'time', value: opens, 'aria-label': t('mgr.hours.from', { day: label, n }), 'aria-describedby': `${day}-hours-error` });
      const to = h('input', { type: 'time', value: closes, 'aria-label': t('mgr.hours.until', { day: label, n }), 'aria-describedby': `${day}-hours-error` });
      const note = h('small', { class: 'note' }, reading(opens, closes));
      const update = () => { note.textContent = reading(from.value, to.value); };
      from.addEventListener('input', update);
      to.addEventListener('input', update);
      const row = h('div', { class: 'opening' }, from, ' – ', to, ' ', note,
        h('button', { type: 'button', class: 'link', 'aria-label': t('mgr.hours.remove_opening', { day: label, n }), onclick: () => { row.remove(); refresh(); } }, t('mgr.hours.remove')));
      row.times = () => [from.value, to.value];
      list.append(row);
      refresh();
    };
    for (const o of openings) opening(hhmm(o.opens), hhmm(o.closes));
    refresh();
    const setOpenings = (pairs) => {
      list.replaceChildren();
      for (const [opens, closes] of pairs) opening(opens, closes);
      refresh();
    };
    days.set(day, { list, error, label, setOpenings });
    return h('fieldset', { class: 'day' }, h('legend', {}, label), closedNote, list, error,
      h('button', { type: 'button', onclick: () => opening('12:00', '15:00') }, t('mgr.hours.add', { day: label })));
  }

  const closures = new Set(hours.closures ?? []);
  const closureList = h('ul', { class: 'closures', 'data-testid': 'closures' });
  const picker = h('input', { type: 'date', id: 'closure-date' });
  const closureError = h('p', { class: 'error', role: 'alert', hidden: true });
  const drawClosures = () => closureList.replaceChildren(...[...closures].sort().map((date) => h('li', {},
    new Date(`${date}T12:00:00Z`).toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }), ' ',
    h('button', { type: 'button', class: 'link', onclick: () => { closures.delete(date); drawClosures(); } }, t('mgr.hours.open_again', { date })))));
  drawClosures();

  const refused = h('p', { class: 'error', id: 'hours-error', role: 'alert', hidden: true });
  const copied = h('p', { role: 'status', class: 'row-status', 'data-testid': 'hours-copied' });
  /** Most restaurants keep the same hours most days: Monday's, as typed, become every day's. */
  function copyMonday() {
    const monday = [...days.get('monday').list.children].map((row) => row.times());
    for (const [day, { setOpenings }] of days) if (day !== 'monday') setOpenings(monday);
    copied.textContent = monday.length ? t('mgr.hours.copied') : t('mgr.hours.copied_closed');
  }
  const element = h('div', { class: 'hours-editor' },
    h('fieldset', {}, h('legend', {}, t('mgr.hours.legend')), refused,
      DAYS.map((day) => dayRow(day, t(`mgr.day.${day}`), hours.weekly[day] ?? [])),
      h('button', { type: 'button', onclick: copyMonday }, t('mgr.hours.copy_monday')), copied),
    h('fieldset', {}, h('legend', {}, t('mgr.hours.closed_on')), closureList,
      h('label', { for: 'closure-date' }, `${t('mgr.hours.date')} `), picker,
      h('button', { type: 'button', onclick: () => {
        closureError.hidden = Boolean(picker.value);
        closureError.textContent = picker.value ? '' : t('mgr.hours.pick_date');
        if (!picker.value) return;
        closures.add(picker.value);
        picker.value = '';
        drawClosures();
      } }, t('mgr.hours.add_closed')), closureError));

  /** Says why the server refused the hours (its own words, written for whoever edits them), above the week. */
  function fail(message) {
    refused.textContent = message;
    refused.hidden = false;
    refused.scrollIntoView({ block: 'center' });
  }

  /** The hours as the API takes them, or null with each day's problem said next to it. */
  function read() {
    refused.hidden = true;
    let ok = true;
    const weekly = {};
    for (const [day, { list, error, label }] of days) {
      const openings = [...list.children].map((row) => row.times());
      const missing = openings.some(([from, to]) => !from || !to);
      error.hidden = !missing;
      error.textContent = missing ? t('mgr.hours.missing', { day: label }) : '';
      if (missing && ok) [...list.querySelectorAll('input')].find((input) => !input.value)?.focus();
      ok &&= !missing;
      weekly[day] = openings.map(([opens, closes]) => ({ opens, closes }));
    }
    return ok ? { weekly, closures: [...closures].sort() } : null;
  }
  return { element, read, fail };
}
