// Reflection of a dict within a namespace: the defs it implements, its entity types, choices, protos, and checks.

import { Dict, type TagVal } from '../grid/dict.js';
import { MARKER, Marker } from '../kinds/marker.js';
import { type Def, symbolNames } from './def.js';
import type { ChoiceInfo, Namespace, ReflectedCore } from './namespace.js';

/** One tag of a reflected dict and the def that gives it meaning (undefined for a tag with no def). */
export interface TagMeaning {
  /** Tag name. */
  readonly name: string;
  /** Its value in the dict. */
  readonly value: TagVal;
  /** Its def, if the namespace has one. */
  readonly def: Def | undefined;
}

/** A choice that applies to the dict and the options it selected (inferred when the choice has no options). */
export interface ChoiceMade {
  /** The choice def, e.g. `pointFunction`. */
  readonly choice: Def;
  /** Where the options come from. */
  readonly of: Def;
  /** The most specific options the dict implements, e.g. `sensor`. */
  readonly selected: readonly Def[];
}

/** What {@link Reflection.validate} can report. */
export type IssueKind =
  /** A tag with no def in the namespace. */
  | 'unknownTag'
  /** A tag the dict needs: a mandatory supertype marker, or one a point must have (Points chapter). */
  | 'missingTag'
  /** More than one option of a choice that takes exactly one (a point's sensor/cmd/sp). */
  | 'choiceConflict';

/** One validation finding. */
export interface ValidationIssue {
  /** What kind of finding. */
  readonly kind: IssueKind;
  /** The tag concerned (missing, unknown, or the choice). */
  readonly tag: string;
  /** The def that requires it, if any. */
  readonly def?: string;
  /** For people. */
  readonly message: string;
}

// The defs of `defs` that no other def of `defs` subtypes: the most specific ones.
function mostSpecific(defs: readonly Def[]): Def[] {
  return defs.filter((d) => !defs.some((o) => o !== d && o.fits(d.name)));
}

// Points chapter: tags every point must have, and tags every historized point must have. Weather observation
// points belong to a weather station rather than a site and equip (Weather chapter: its example has neither).
const POINT_REQUIRED = ['siteRef', 'equipRef', 'kind'] as const;
const WEATHER_POINT_REQUIRED = ['weatherStationRef', 'kind'] as const;
const HIS_REQUIRED = ['tz', 'hisMode'] as const;

// Entity types depend only on the tag names, so they are kept per shared reflection core.
const ENTITY_TYPES = new WeakMap<ReflectedCore, readonly Def[]>();

/** The defs a dict implements within a namespace (Reflection chapter); made by {@link Namespace.reflect}. */
export class Reflection {
  /** The namespace reflected in. */
  readonly ns: Namespace;
  /** The reflected dict. */
  readonly dict: Dict;
  readonly #core: ReflectedCore;

  /** For {@link Namespace.reflect}. */
  constructor(ns: Namespace, dict: Dict, core: ReflectedCore) {
    this.ns = ns;
    this.dict = dict;
    this.#core = core;
  }

  /** Every def the dict implements: its tags and conjuncts and all their supertypes. */
  get defs(): readonly Def[] {
    return this.#core.all;
  }

  /** Defs of the dict's own tags, conjuncts and composes, before inheritance (`hot`, `water`, `hot-water`, ...). */
  get direct(): readonly Def[] {
    return this.#core.direct;
  }

  // The tags and conjuncts among the direct defs: a compose repeats its child (which it subtypes) with its parent.
  get #terms(): readonly Def[] {
    const direct = this.#core.direct;
    return direct.some((d) => d.kind === 'compose') ? direct.filter((d) => d.kind !== 'compose') : direct;
  }

  /** True when the dict implements def `name` (`reflect(ahu).fits('equip')`). */
  fits(name: string): boolean {
    return this.#core.names.has(name);
  }

  /** The most specific entity types the dict is (Reflection: entity types): `[ahu]` for `{ahu, equip}`. */
  get entityTypes(): readonly Def[] {
    let types = ENTITY_TYPES.get(this.#core);
    if (types === undefined) {
      // A compose (`ahu.discharge-duct`) binds two terms; it is no entity type of its own.
      const entities = this.#core.all.filter((d) => d.name !== 'entity' && d.kind !== 'compose' && d.fits('entity'));
      types = Object.freeze(mostSpecific(entities));
      ENTITY_TYPES.set(this.#core, types);
    }
    return types;
  }

  /** Each tag of the dict with its def. */
  tags(): readonly TagMeaning[] {
    return [...this.dict].map(([name, value]) => ({ name, value, def: this.ns.def(name) }));
  }

  /** The marker tags of the dict with their defs (what each marker means). */
  markers(): readonly TagMeaning[] {
    return this.tags().filter((t) => t.value instanceof Marker);
  }

  /** The choices of the dict's entity types and what the dict selects for each. */
  choices(): readonly ChoiceMade[] {
    const infos = new Map<string, ChoiceInfo>();
    for (const e of this.entityTypes)
      for (const c of this.ns.choices(e.name)) if (!infos.has(c.choice.name)) infos.set(c.choice.name, c);
    const out: ChoiceMade[] = [];
    for (const c of infos.values()) {
      // Choices: a choice without subtypes is not flattened into instances but inferred.
      const selected =
        c.options.length === 0 ? [c.of] : mostSpecific(this.#terms.filter((d) => d !== c.of && d.fits(c.of.name)));
      out.push({ choice: c.choice, of: c.of, selected });
    }
    return out;
  }

  /**
   * The children protos of the dict's entity types, with the dict's `childrenFlatten` terms flattened in (Protos).
   * A proto is that and nothing more: the dict's id and containment refs are not copied as Haxall copies them.
   */
  protos(): readonly Dict[] {
    const out = new Map<string, Dict>();
    for (const e of this.entityTypes) {
      const children = this.ns.children(e.name);
      if (children.length === 0) continue;
      const flat = new Map<string, TagVal>();
      for (const term of symbolNames(e.dict.get('childrenFlatten'))) {
        const t = this.ns.def(term);
        if (t === undefined) continue;
        // A choice flattens its options: `pipeSection` the `pipeSectionType` the dict implements.
        const base = t.fits('choice')
          ? (this.ns.def(symbolNames(e.dict.get(t.name))[0] ?? symbolNames(t.dict.get('of'))[0] ?? '') ?? t)
          : t;
        // Protos: a term the parent implements is flattened, the term itself too (a fan motor's `fan`, Motors).
        for (const d of this.#terms) if (d.fits(base.name)) for (const n of d.tagNames) flat.set(n, MARKER);
      }
      for (const child of children) {
        const merged = flat.size === 0 ? child : Dict.fromTrustedMap(new Map([...flat, ...child]));
        const key = [...merged.keys()].sort().join(',');
        if (!out.has(key)) out.set(key, merged);
      }
    }
    return [...out.values()];
  }

  /**
   * Findings: tags with no def; mandatory supertype markers that are missing (Reflection: implementation rule 2);
   * for points, the Points chapter's `siteRef`, `equipRef` (a weather point's `weatherStationRef` instead), `kind`,
   * exactly one of `sensor`/`cmd`/`sp`, and `tz` and `hisMode` when historized.
   */
  validate(): readonly ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const missing = new Set<string>();
    const need = (tag: string, def: string, why: string): void => {
      if (this.dict.has(tag) || missing.has(tag)) return;
      missing.add(tag);
      issues.push({ kind: 'missingTag', tag, def, message: `${why} needs tag ${tag}` });
    };
    for (const name of this.dict.keys()) {
      if (!this.ns.has(name)) issues.push({ kind: 'unknownTag', tag: name, message: `Tag ${name} has no def` });
    }
    for (const d of this.#core.direct) {
      for (const s of d.inheritance) {
        if (s !== d && s.kind === 'tag' && s.dict.has('mandatory'))
          need(s.name, d.name, `^${d.name} (mandatory ^${s.name})`);
      }
    }
    if (this.fits('point')) {
      if (this.fits('weather-point'))
        for (const t of WEATHER_POINT_REQUIRED) need(t, 'weather-point', 'A weather point');
      else for (const t of POINT_REQUIRED) need(t, 'point', 'A point');
      if (this.dict.has('his')) for (const t of HIS_REQUIRED) need(t, 'his-point', 'A historized point');
      const fn = this.ns.def('pointFunction');
      if (fn !== undefined) {
        // Only the most specific count: `sim` and its mandatory supertype `synthetic` are one function (Synthetics).
        const chosen = mostSpecific(this.#terms.filter((d) => d !== fn && d.fits(fn.name)));
        if (chosen.length === 0) {
          const options = fn.subtypes.map((s) => s.name).join(', ');
          issues.push({ kind: 'missingTag', tag: fn.name, def: 'point', message: `A point needs one of ${options}` });
        } else if (chosen.length > 1) {
          const names = chosen.map((s) => s.name).join(', ');
          issues.push({
            kind: 'choiceConflict',
            tag: fn.name,
            def: 'point',
            message: `A point has several of ${names}`,
          });
        }
      }
    }
    return issues;
  }

  /** A summary dict: `id`, `dis`, `entityTypes`, `defs` (direct), and `choices` as choice name to selected symbols. */
  toDict(): Dict {
    const choices = new Map<string, TagVal>();
    for (const c of this.choices())
      if (c.selected.length > 0) choices.set(c.choice.name, Object.freeze(c.selected.map((s) => s.symbol)));
    return Dict.of({
      id: this.dict.id ?? null,
      dis: this.dict.has('dis') || this.dict.has('navName') || this.dict.id !== undefined ? this.dict.dis() : null,
      entityTypes: this.entityTypes.map((d) => d.symbol),
      defs: this.#core.direct.map((d) => d.symbol),
      choices: Dict.fromTrustedMap(choices),
    });
  }
}
