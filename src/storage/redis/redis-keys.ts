// The Redis key layout of one store: every key under one hash tag `{prefix}`, so one store lives in one Cluster slot.

import type { Val } from '../../core/kinds/kind.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';

/** Characters a store prefix may use: never `{` or `}`, which would change the hash tag. */
const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;

/** True when `prefix` may name a store (1-64 of `A-Z a-z 0-9 _ . : -`). */
export function isStorePrefix(prefix: string): boolean {
  return PREFIX.test(prefix);
}

/**
 * The hash-tagged base of every key of a store: `{prefix}`. Redis Cluster hashes only the text inside the braces,
 * so all keys of one store share one slot and every script and MULTI touches one node.
 */
export function keyBase(prefix: string): string {
  return `{${prefix}}`;
}

/**
 * Key suffixes, appended to {@link keyBase}. Lua scripts build the same names from the base they are given.
 * - `:ver` change counter (bumped once per committed change of entities), the key every script routes by
 * - `:meta` hash: `format`, the change log's `logged` (last version logged) and `logfrom` (it holds every
 *   change after this version), `tombkeep` (tombstones the last prune kept) and `epoch` (set by the first open: a
 *   store made anew under the prefix has another)
 * - `:e` hash id -> entity (Hayson), `:all` set of ids, `:ev` hash id -> version of the last change,
 *   `:tomb` hash id -> version of the removal (for watches; pruned once every watch has polled past it)
 * - `:cl` sorted set id -> version of the last change, `:cr` sorted set removed id -> version of the removal (the
 *   change log mirrors catch up from; see the APPLY script)
 * - `:t:<tag>` ids having a tag; `:r:<tag>:<refId>` ids whose tag holds that Ref (alone or in a List);
 *   `:v:<tag>:<value>` ids whose tag equals a Str, Bool or Number; `:z:<tag>:<unit>` sorted set of ids by the
 *   Number a tag holds in that unit (for `<`, `<=`, `>`, `>=`)
 * - `:h:<id>` sorted set of history samples (score = epoch ms)
 * - `:pa` hash id -> priority levels, `:pexp` sorted set id -> next override expiry
 * - `:w` sorted set watch -> open order, `:wexp` watch -> lease end, `:w:<watch>` hash of its fields,
 *   `:wi:<watch>` sorted set id -> add order, `:wa:<watch>` hash id -> version when added
 * - `:u` hash username -> user, `:s:<session>` hash of a session, `:su:<user>` set of a user's sessions,
 *   `:sx` sorted set session -> expiry
 */
export const KEY = Object.freeze({
  ver: ':ver',
  meta: ':meta',
  entities: ':e',
  all: ':all',
  versions: ':ev',
  tombstones: ':tomb',
  priority: ':pa',
  priorityExpiry: ':pexp',
  users: ':u',
  sessionExpiry: ':sx',
  tag: (name: string) => `:t:${name}`,
  ref: (name: string, refId: string) => `:r:${name}:${refId}`,
  value: (name: string, code: string) => `:v:${name}:${code}`,
  number: (name: string, unit: string | undefined) => `:z:${name}:${unit ?? ''}`,
  his: (id: string) => `:h:${id}`,
  session: (id: string) => `:s:${id}`,
  userSessions: (username: string) => `:su:${username}`,
});

// Strings longer than this are not filed in the value index (a filter comparing with one is checked in process).
const MAX_INDEXED_STR = 128;

/** The value-index code of a value, or undefined when values of its kind (or this length) are not indexed. */
export function valueCode(v: Val): string | undefined {
  if (typeof v === 'string') return v.length <= MAX_INDEXED_STR ? `s${v}` : undefined;
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  if (v instanceof Num) {
    // Filter `==` on Numbers compares value (0 equals -0) and unit; NaN and infinities never equal a literal.
    if (!Number.isFinite(v.val)) return undefined;
    return `n${String(v.val === 0 ? 0 : v.val)} ${v.unit ?? ''}`;
  }
  return undefined;
}

/** Every index key suffix an entity is filed under: its tags, the Refs it holds and its indexed values. */
export function indexKeys(entries: Iterable<readonly [string, Val]>): Set<string> {
  const keys = new Set<string>();
  for (const [name, val] of entries) {
    keys.add(KEY.tag(name));
    if (val instanceof Ref) keys.add(KEY.ref(name, val.id));
    else if (Array.isArray(val)) {
      // Filters#refLists: `tag == @x` matches a List holding @x, so each Ref of a List is filed.
      for (const item of val as readonly Val[]) if (item instanceof Ref) keys.add(KEY.ref(name, item.id));
    } else {
      const code = valueCode(val);
      if (code !== undefined) keys.add(KEY.value(name, code));
    }
  }
  return keys;
}

/** A Number's sorted-set score: its value, infinities as Redis spells them. */
export function numberScore(val: number): string {
  if (Number.isFinite(val)) return String(val);
  return val > 0 ? '+inf' : '-inf';
}

/** The Number-order index entries of an entity: key suffix -> score, for every tag holding a Number (NaN excepted). */
export function numberKeys(entries: Iterable<readonly [string, Val]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, val] of entries) {
    // Filter ordering needs the same unit, and a NaN satisfies no ordering comparison.
    if (val instanceof Num && !Number.isNaN(val.val)) out.set(KEY.number(name, val.unit), numberScore(val.val));
  }
  return out;
}
