// The pace the kitchen takes new orders at, set from the board: pause them (for a while, or
// until resumed) and add a busy delay to what new orders are promised. Guests' pages read it
// from the published menu (`pausedUntil`).
import { api } from './api.js';
import { h, localTime } from './ui.js';
import { guestMessage, t } from './words.js';

/** Whether new orders are paused at `now`: `null` when not, else `{ until }` (null: until resumed). */
export function pausedUntil(pace, now = Date.now()) {
  const pause = pace?.pause;
  if (!pause) return null;
  if (pause.until && new Date(pause.until).getTime() <= now) return null;
  return { until: pause.until ?? null };
}

const PAUSES = [['15', 'staff.pause.15'], ['30', 'staff.pause.30'], ['60', 'staff.pause.60'], ['', 'staff.pause.resumed']];
const DELAYS = [0, 10, 20, 30, 45, 60];

/** The board's pace controls, starting from `restaurant.pace`. */
export function paceControls(slug, token, restaurant) {
  let pace = restaurant.pace ?? { busy_minutes: 0 };
  const status = h('p', { role: 'status', class: 'row-status', 'data-testid': 'pace-status' });
  const length = h('select', { id: 'pause-length', 'aria-label': t('staff.pause_for') }, PAUSES.map(([value, label]) => h('option', { value }, t(label))));
  const pauseButton = h('button', { type: 'button', 'data-testid': 'pause' });
  const delay = h('select', { id: 'busy-delay' }, DELAYS.map((minutes) => h('option', { value: minutes }, minutes ? t('staff.busy_minutes', { minutes }) : t('staff.busy_none'))));
  const say = () => {
    const paused = pausedUntil(pace);
    pauseButton.textContent = paused ? t('staff.resume') : t('staff.pause');
    length.hidden = Boolean(paused);
    delay.value = String(pace.busy_minutes ?? 0);
    status.textContent = paused
      ? (paused.until ? t('staff.paused_until', { time: localTime(paused.until, restaurant.time_zone) }) : t('staff.paused'))
      : pace.busy_minutes ? t('staff.taking_later', { minutes: pace.busy_minutes }) : t('staff.taking');
  };
  // One change at a time, each made from what the one before left: a pause taken back and a
  // delay chosen in quick succession must not put the pause back.
  let saving = Promise.resolve();
  function save(change) {
    saving = saving.then(async () => {
      try {
        pace = await api('PUT', `/v1/restaurants/${slug}/pace`, { token, body: change(pace) });
        say();
      } catch (problem) {
        status.textContent = guestMessage(problem);
      }
    });
    return saving;
  }
  pauseButton.addEventListener('click', () => {
    const minutes = Number(length.value);
    const until = minutes ? new Date(Date.now() + minutes * 60_000).toISOString() : undefined;
    return save((now) => (pausedUntil(now) ? { busy_minutes: now.busy_minutes ?? 0 }
      : { busy_minutes: now.busy_minutes ?? 0, pause: until ? { until } : {} }));
  });
  delay.addEventListener('change', () => {
    const minutes = Number(delay.value);
    return save((now) => ({ ...(now.pause ? { pause: now.pause } : {}), busy_minutes: minutes }));
  });
  say();
  return h('div', { class: 'pace board-options' },
    h('span', {}, pauseButton, ' ', length),
    h('label', { for: 'busy-delay', class: 'choice' }, `${t('staff.busy')} `, delay),
    status);
}
