// The deployment's stages (`-c stage=test`, `-c stage=prod`) and their settings, read from one
// file in the repository (cdk/stages.json) and checked before anything is synthesized: a bad
// value fails synth naming the stage and the field. Each stage is isolated: its stacks, table,
// buckets, SSM parameters, key value store, web ACL and alarms carry its name.
import { readFileSync } from 'node:fs';
import { type ExistingTable, checkedTable } from './data-stack.js';
import { EDGE_LIMITS, type EdgeLimits } from './edge-stack.js';
import { HELDABLE, checkedFees } from './api-stack.js';

export interface StageConfig {
  /** The stage's name: lower-case letters and digits, as it appears in every name it owns. */
  readonly name: string;
  /** Where it runs (the account is the deploying credentials' unless given). */
  readonly region: string;
  readonly account?: string;
  /** Where its alarms are mailed (AWS asks the address to confirm first). */
  readonly alarmEmail?: string;
  /**
   * Production keeps its data: the table with deletion protection and every store retained
   * when a stack goes. A test stage can be destroyed completely.
   */
  readonly keepData: boolean;
  /** The per-address limits of its web ACL, or `off` for none (and none of its cost). */
  readonly edgeLimits: EdgeLimits | false;
  /** Capabilities held back for every restaurant. */
  readonly heldFeatures: readonly string[];
  /** Requests per second and burst the whole API takes (the backstop behind the edge). */
  readonly throttle: { readonly rate: number; readonly burst: number };
  /** How long function and access logs are kept. */
  readonly logRetentionDays: number;
  /** Memory of each HTTP function (CPU grows with it). */
  readonly memoryMb: number;
  /** The site's own domain with its certificate (ACM, us-east-1); CloudFront's address when absent. */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
  /** The table to run on instead of the stage's own, after a restore. */
  readonly table?: ExistingTable;
  /** The restaurant whose menu the pipeline's smoke check reads after each deploy. */
  readonly smokeRestaurant: string;
  /**
   * Whether new restaurants sign up with the code `bistro-keys sign-up-code` sets (`code`, the
   * default) or not at all (`closed`: the operator makes them with `create-restaurant`).
   */
  readonly signUp: 'code' | 'closed';
  /** Guests may pay online through Stripe (absent: every order is paid at the restaurant). */
  readonly payments?: PaymentsConfig;
}

export interface PaymentsConfig {
  /** The platform's fee per currency: `EUR:30+1.5%,USD:30+2.9%` (minor units and a share). */
  readonly platformFees: string;
}

export interface Stages {
  /** `owner/name` on GitHub: the only repository whose main branch may deploy. */
  readonly repository: string;
  readonly stages: Record<string, StageConfig>;
}

/** The retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

type Raw = Record<string, unknown>;

class StageError extends Error {}

/** Reads one stage's settings, refusing the first bad value by stage and field. */
export function stageConfig(name: string, raw: unknown): StageConfig {
  const fail = (field: string, why: string): never => {
    throw new StageError(`stages.json: stage '${name}': ${field}: ${why}`);
  };
  if (!/^[a-z][a-z0-9]{0,15}$/.test(name)) fail('name', 'a stage is named with 1-16 lower-case letters and digits, starting with a letter');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('(all)', 'expected an object of settings');
  const r = raw as Raw;
  const known = ['region', 'account', 'alarmEmail', 'keepData', 'edgeLimits', 'heldFeatures', 'throttle', 'logRetentionDays', 'memoryMb', 'domain', 'table', 'smokeRestaurant', 'signUp', 'payments'];
  for (const field of Object.keys(r)) if (!known.includes(field)) fail(field, `no such setting (the settings are ${known.join(', ')})`);
  const text = (field: string, pattern: RegExp, what: string, optional = false): string | undefined => {
    const value = r[field];
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) fail(field, `${what}, not ${JSON.stringify(value)}`);
    return value as string;
  };
  const whole = (field: string, low: number, high: number, fallback: number): number => {
    const value = r[field] ?? fallback;
    if (!Number.isInteger(value) || (value as number) < low || (value as number) > high) fail(field, `a whole number from ${low} to ${high}, not ${JSON.stringify(value)}`);
    return value as number;
  };
  if (r.keepData === true && r.alarmEmail === undefined) fail('alarmEmail', 'a stage that keeps data mails its alarms somewhere; give an address');
  if (typeof r.keepData !== 'boolean') fail('keepData', `true (production: data kept) or false (a stage that can be destroyed), not ${JSON.stringify(r.keepData)}`);
  const edge = r.edgeLimits ?? 'default';
  let edgeLimits: EdgeLimits | false = EDGE_LIMITS;
  if (edge === 'off') edgeLimits = false;
  else if (typeof edge === 'object' && edge !== null) {
    edgeLimits = { ...EDGE_LIMITS, ...(edge as Partial<EdgeLimits>) };
    for (const [limit, value] of Object.entries(edgeLimits)) {
      if (!(limit in EDGE_LIMITS)) fail(`edgeLimits.${limit}`, `no such limit (the limits are ${Object.keys(EDGE_LIMITS).join(', ')})`);
      if (!Number.isInteger(value) || value < 10 || value > 2_000_000_000) fail(`edgeLimits.${limit}`, `a whole number from 10 to 2000000000, not ${JSON.stringify(value)}`);
    }
  } else if (edge !== 'default') fail('edgeLimits', `"off", "default", or limits by name, not ${JSON.stringify(edge)}`);
  const held = r.heldFeatures ?? [];
  if (!Array.isArray(held) || held.some((f) => !(HELDABLE as readonly unknown[]).includes(f))) fail('heldFeatures', `a list of ${HELDABLE.join(', ')}, not ${JSON.stringify(held)}`);
  const throttle = (r.throttle ?? { rate: 1000, burst: 2000 }) as Raw;
  for (const part of ['rate', 'burst']) {
    if (!Number.isInteger(throttle[part]) || (throttle[part] as number) < 1 || (throttle[part] as number) > 10_000) fail(`throttle.${part}`, `a whole number of requests from 1 to 10000, not ${JSON.stringify(throttle[part])}`);
  }
  const logRetentionDays = whole('logRetentionDays', 1, 3653, 30);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) fail('logRetentionDays', `one of CloudWatch's periods (${LOG_RETENTION_DAYS.join(', ')}), not ${logRetentionDays}`);
  let domain: StageConfig['domain'];
  if (r.domain !== undefined) {
    const d = r.domain as Raw;
    if (typeof d.name !== 'string' || !/^([a-z0-9-]+\.)+[a-z]{2,}$/.test(d.name)) fail('domain.name', `a host name like order.example.com, not ${JSON.stringify(d.name)}`);
    if (typeof d.certificateArn !== 'string' || !/^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(d.certificateArn)) fail('domain.certificateArn', `an ACM certificate's ARN in us-east-1 (CloudFront takes no other), not ${JSON.stringify(d.certificateArn)}`);
    domain = { name: d.name as string, certificateArn: d.certificateArn as string };
  }
  let table: ExistingTable | undefined;
  if (r.table !== undefined) {
    const t = r.table as Raw;
    try {
      table = checkedTable({ name: String(t.name), streamArn: String(t.streamArn) });
    } catch (e) { fail('table', (e as Error).message); }
  }
  let payments: PaymentsConfig | undefined;
  if (r.payments !== undefined) {
    const p = r.payments as Raw;
    if (typeof p !== 'object' || p === null || typeof p.platformFees !== 'string') fail('payments', `an object with platformFees (e.g. "EUR:30+1.5%", or "" for none), not ${JSON.stringify(r.payments)}`);
    try {
      payments = { platformFees: checkedFees(p.platformFees as string) };
    } catch (e) { fail('payments.platformFees', (e as Error).message); }
  }
  return {
    name,
    payments,
    region: text('region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like eu-central-1') as string,
    account: text('account', /^\d{12}$/, 'a 12-digit account id', true),
    alarmEmail: text('alarmEmail', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address', true),
    keepData: r.keepData as boolean,
    edgeLimits,
    heldFeatures: held as string[],
    throttle: { rate: throttle.rate as number, burst: throttle.burst as number },
    logRetentionDays,
    memoryMb: whole('memoryMb', 128, 10240, 128),
    domain,
    table,
    signUp: (text('signUp', /^(code|closed)$/, '"code" (sign-up with the stage\'s code) or "closed"', true) ?? 'code') as 'code' | 'closed',
    smokeRestaurant: text('smokeRestaurant', /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'the slug of a restaurant of this stage (the smoke check reads its menu)') as string,
  };
}

/** Every stage of a stages file's text, each checked. */
export function parseStages(text: string): Stages {
  const raw = JSON.parse(text) as Raw;
  if (typeof raw.repository !== 'string' || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(raw.repository)) {
    throw new StageError(`stages.json: repository: the GitHub repository as owner/name, not ${JSON.stringify(raw.repository)}`);
  }
  const stages = (raw.stages ?? {}) as Raw;
  return { repository: raw.repository, stages: Object.fromEntries(Object.entries(stages).map(([name, stage]) => [name, stageConfig(name, stage)])) };
}

/** The repository's own stages file. */
export const STAGES: Stages = parseStages(readFileSync(new URL('../stages.json', import.meta.url), 'utf8'));
