// The action registry of `invokeAction`: actions bound to one entity, or global ones that apply to any entity.

import { clipInput, echoInput } from '../core/echo-input.js';
import { HaystackError, ValueError } from '../core/errors.js';
import type { Dict } from '../core/grid/dict.js';
import type { Grid } from '../core/grid/grid.js';
import type { OpContext } from './op.js';

/** Runs an action on `target` with the request row as `args`; a returned grid is the response (else an empty grid). */
export type ActionHandler = (target: Dict, args: Dict, ctx: OpContext) => Grid | undefined | Promise<Grid | undefined>;

/** An action to register. */
export interface ActionDef {
  /** Action name, as sent in the request meta `action`. */
  readonly name: string;
  /** Entity id (without `@`) the action belongs to; omit for a global action available on every entity. */
  readonly entityId?: string;
  /** The handler. */
  readonly handler: ActionHandler;
}

/** Actions by name, per entity or global; entity actions win over a global one of the same name. */
export interface ActionRegistry {
  /** Add (or replace) an action. */
  register(def: ActionDef): void;
  /** Remove an action; true if it was there. */
  unregister(name: string, entityId?: string): boolean;
  /** The handler for `name` on the entity `entityId`; throws `HS_ERR_UNKNOWN_NAME` when there is none. */
  resolve(name: string, entityId: string): ActionHandler;
  /** Names of the actions available on an entity (its own, then global ones), sorted. */
  namesFor(entityId: string): readonly string[];
}

/** Make an action registry holding `defs`. */
export function createActionRegistry(defs: readonly ActionDef[] = []): ActionRegistry {
  const global = new Map<string, ActionHandler>();
  const perEntity = new Map<string, Map<string, ActionHandler>>();
  const registry: ActionRegistry = {
    register(def) {
      if (typeof def.name !== 'string' || def.name === '') throw new ValueError('An action needs a name');
      if (typeof def.handler !== 'function') throw new ValueError(`Action ${def.name} has no handler`);
      if (def.entityId === undefined) {
        global.set(def.name, def.handler);
        return;
      }
      let m = perEntity.get(def.entityId);
      if (m === undefined) perEntity.set(def.entityId, (m = new Map<string, ActionHandler>()));
      m.set(def.name, def.handler);
    },
    unregister(name, entityId) {
      if (entityId === undefined) return global.delete(name);
      return perEntity.get(entityId)?.delete(name) ?? false;
    },
    resolve(name, entityId) {
      const h = perEntity.get(entityId)?.get(name) ?? global.get(name);
      if (h === undefined) {
        throw new HaystackError('HS_ERR_UNKNOWN_NAME', `Unknown action ${echoInput(name)} on @${clipInput(entityId)}`);
      }
      return h;
    },
    namesFor(entityId) {
      const names = new Set(perEntity.get(entityId)?.keys());
      for (const n of global.keys()) names.add(n);
      return [...names].sort();
    },
  };
  for (const d of defs) registry.register(d);
  return registry;
}
