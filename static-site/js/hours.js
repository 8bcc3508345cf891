// Whether a restaurant is open at an instant, and when it opens next, from its weekly hours and
// closures in its own time zone (as lib/domain/src/hours.rs decides it): an opening whose
// closing time is at or before its opening time runs past midnight into the next day.

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const formats = new Map();
function parts(instant, timeZone) {
  if (!formats.has(timeZone)) {
    formats.set(timeZone, new Intl.DateTimeFormat('en-CA', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'long',
    }));
  }
  const got = Object.fromEntries(formats.get(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return { date: `${got.year}-${got.month}-${got.day}`, day: DAYS.indexOf(got.weekday.toLowerCase()), minute: Number(got.hour) * 60 + Number(got.minute) };
}

const minutes = (clock) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

function dayBefore(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

export function isOpen(hours, timeZone, instant) {
  const { date, day, minute } = parts(instant, timeZone);
  const closed = new Set(hours.closures ?? []);
  const today = closed.has(date) ? [] : hours.weekly[DAYS[day]] ?? [];
  const yesterday = closed.has(dayBefore(date)) ? [] : hours.weekly[DAYS[(day + 6) % 7]] ?? [];
  return today.some(({ opens, closes }) => {
    const [o, c] = [minutes(opens), minutes(closes)];
    return c <= o ? minute >= o : o <= minute && minute < c;
  }) || yesterday.some(({ opens, closes }) => {
    const [o, c] = [minutes(opens), minutes(closes)];
    return c <= o && minute < c;
  });
}

/** The first instant within eight days at which the restaurant is open, or null. */
export function nextOpening(hours, timeZone, now = Date.now()) {
  const step = 5 * 60_000;
  const start = Math.ceil(now / 60_000) * 60_000;
  for (let t = start; t < start + 8 * 86_400_000; t += step) {
    if (!isOpen(hours, timeZone, t)) continue;
    let first = t;
    while (first - 60_000 >= start && isOpen(hours, timeZone, first - 60_000)) first -= 60_000;
    return new Date(first);
  }
  return null;
}
