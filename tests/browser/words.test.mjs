// Every word the pages look up is there in every language they speak: a German page never shows
// a key ("diet.spicy") or falls back to English for something a guest reads.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root } from './harness.mjs';

const js = join(root, 'static-site', 'js');
const sources = readdirSync(js).filter((f) => f.endsWith('.js') && !f.startsWith('words')).map((f) => readFileSync(join(js, f), 'utf8'));
// The word files are read as text: they belong to the pages, which run in a browser.
const keysOf = (file) => new Set([...readFileSync(join(js, file), 'utf8').matchAll(/'([a-z_]+(?:\.[a-z_]+)+)':/g)].map((m) => m[1]));
const union = (...files) => new Set(files.flatMap((file) => [...keysOf(file)]));
const [english, german] = [union('words.js', 'words-staff.js'), union('words-de.js', 'words-staff-de.js')];

test('every key the pages look up has English and German words', () => {
  const keys = new Set(sources.flatMap((text) => [...text.matchAll(/\bt\('([a-z_]+\.[a-z_.]+)'/g)].map((m) => m[1])));
  assert.ok(keys.size > 50, `${keys.size} keys found`);
  const missing = [...keys].flatMap((key) => [english.has(key) ? [] : [`en: ${key}`], german.has(key) ? [] : [`de: ${key}`]].flat());
  assert.deepEqual(missing, []);
});

test('German has a word for every English word', () => {
  assert.ok(english.size > 100, `${english.size} English words`);
  assert.deepEqual([...english].filter((key) => !german.has(key)), []);
});
