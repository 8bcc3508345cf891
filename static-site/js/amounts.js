// Amounts as a manager types them, in the currency's own minor units (EUR has two decimals, JPY none).
import { decimalsOf } from './ui.js';

/** A typed amount ("12.50", "12,5") in minor units of `currency`; null when empty, not a number, negative or finer than the currency. */
export function parseAmount(text, currency) {
  const raw = String(text ?? '').trim().replace(',', '.');
  const places = decimalsOf(currency);
  const pattern = places === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${places}})?$`);
  if (!pattern.test(raw)) return null;
  const [whole, fraction = ''] = raw.split('.');
  return Number(whole) * 10 ** places + Number(fraction.padEnd(places, '0') || 0);
}

/** Minor units as a manager types them ("12.50"; JPY "1200"). */
export function amountText(minor, currency) {
  const places = decimalsOf(currency);
  return places === 0 ? String(minor) : (minor / 10 ** places).toFixed(places);
}
