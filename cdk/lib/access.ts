// What each function serves and which partitions of the table it may touch, read from
// functions.json: the same file a Rust test (tests/partitions.rs) holds to what every route of
// every function actually reads and writes, so the policies can neither miss nor exceed it.
import { readFileSync } from 'node:fs';

export interface FunctionAccess {
  /** API Gateway route paths (HTTP API); empty for the WebSocket and stream functions. */
  readonly routes: string[];
  /** Partition keys (IAM `StringLike` patterns) it may `GetItem` and `Query` on the table. */
  readonly reads: string[];
  /** Index partition keys it may `Query` a secondary index for. */
  readonly indexReads: string[];
  /** Partition keys it may put, update, delete and condition-check. */
  readonly writes: string[];
  /** Whether it describes the table (the health check). */
  readonly describesTable?: boolean;
}

// A pattern names one kind of partition: `R#*#KIND…`, `CONNECTION#*`, `KEYS`, `RESTAURANTS`
// (the directory) or the payment provider's `PAYMENTS#EVENTS` and `PAYMENTS#ACCOUNTS`. A bare
// `*`, or one that does not start with a fixed kind, would let a function read every
// restaurant's staff.
const PATTERN = /^(R#\*#[A-Z]+(#[a-z]+)?(#\*)?|CONNECTION#\*|KEYS|RESTAURANTS|PAYMENTS#(EVENTS|ACCOUNTS))$/;

function parse(text: string): Record<string, FunctionAccess> {
  const functions = JSON.parse(text) as Record<string, FunctionAccess>;
  for (const [name, access] of Object.entries(functions)) {
    for (const list of ['routes', 'reads', 'indexReads', 'writes'] as const) {
      if (!Array.isArray(access[list])) throw new Error(`functions.json: ${name}.${list} must be a list`);
    }
    for (const pattern of [...access.reads, ...access.indexReads, ...access.writes]) {
      if (!PATTERN.test(pattern)) throw new Error(`functions.json: ${name} names '${pattern}', which is not one kind of partition`);
    }
  }
  return functions;
}

export const FUNCTIONS: Record<string, FunctionAccess> = parse(readFileSync(new URL('./functions.json', import.meta.url), 'utf8'));

/** The HTTP API's functions: those with routes. */
export const HTTP_FUNCTIONS: string[] = Object.keys(FUNCTIONS).filter((name) => FUNCTIONS[name].routes.length > 0);
