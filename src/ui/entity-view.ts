// The entity page: tags by kind with units, refs out and in, live value, priority array and writes, actions.

import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Dict } from '../core/grid/dict.js';
import type { Grid } from '../core/grid/grid.js';
import { kindOf, type Val } from '../core/kinds/kind.js';
import { Num } from '../core/kinds/number.js';
import { html } from './html.js';
import type { Session } from './session.js';
import { errorText, useAsync } from './use-async.js';
import { useTitle } from './use-title.js';
import { ValView } from './val-view.js';
import { entityHref, kindName, refsOut, valText } from './values.js';

/** Ref tags searched for entities that point at this one (Haystack 4's standard ref tags). */
export const REF_TAGS: readonly string[] = [
  'siteRef',
  'spaceRef',
  'floorRef',
  'equipRef',
  'weatherStationRef',
  'ahuRef',
  'elecMeterRef',
  'hotWaterPlantRef',
  'chilledWaterPlantRef',
  'steamPlantRef',
  'submeterOf',
];

/** Props of {@link EntityView}. */
export interface EntityViewProps {
  readonly session: Session;
  readonly id: string;
  /** The user's role (undefined until known, or without logins): a viewer gets no write form. */
  readonly role?: string | undefined;
}

/** One entity, kept current by the live watch. */
export function EntityView({ session, id, role }: EntityViewProps): VNode {
  const loaded = useAsync(async () => (await session.client.readByIds([id])).first, [id], session.live);
  const [live, setLive] = useState<Dict | undefined>(undefined);
  useEffect(() => {
    setLive(undefined);
    return session.live.subscribe(id, setLive);
  }, [id]);
  const entity = live ?? loaded.value;
  useTitle(entity === undefined || entity.isEmpty ? `@${id}` : entity.dis());
  if (loaded.error !== undefined) return html`<p class="error" role="alert">${loaded.error}</p>`;
  if (entity === undefined || entity.isEmpty) {
    return html`<p role="status">${loaded.loading ? 'Loading\u2026' : `No entity @${id}`}</p>`;
  }
  const names = [...entity.names].sort((a, b) => a.localeCompare(b));
  const cur = entity.get('curVal');
  return html`<article class="screen entity" aria-labelledby="entity-title">
    <h1 id="entity-title">${entity.dis()}</h1>
    <p class="entity-id">@${id}
      ${entity.has('his') ? html` \u00b7 <a href=${`#/history?ids=${encodeURIComponent(id)}`}>Plot history</a>` : null}
    </p>
    ${
      entity.has('point')
        ? html`<p class="live-value">Current value: <strong class="cur-val" aria-live="polite">${valText(cur) || '\u2014'}</strong>
          ${
            entity.has('writeVal')
              ? html` \u00b7 written: <strong class="write-val">${valText(entity.get('writeVal'))}</strong>${` (level ${valText(entity.get('writeLevel'))})`}`
              : null
          }</p>`
        : null
    }
    <div class="entity-cols">
      <section aria-labelledby="tags-title">
        <h2 id="tags-title">Tags</h2>
        <table class="tags">
          <thead><tr><th scope="col">Tag</th><th scope="col">Value</th><th scope="col">Kind</th></tr></thead>
          <tbody>
            ${names.map(
              (n) => html`<tr key=${n}><th scope="row">${n}</th><td><${ValView} v=${entity.get(n)} /></td>
              <td class="muted">${kindName(entity.get(n))}</td></tr>`,
            )}
          </tbody>
        </table>
      </section>
      <div>
        <${Related} session=${session} entity=${entity} id=${id} />
        ${entity.has('writable') ? html`<${PriorityArray} session=${session} entity=${entity} id=${id} role=${role} />` : null}
        <${Actions} session=${session} entity=${entity} id=${id} />
      </div>
    </div>
  </article>`;
}

interface PartProps {
  readonly session: Session;
  readonly entity: Dict;
  readonly id: string;
}

function Related({ session, entity, id }: PartProps): VNode {
  const refsIn = useAsync(
    async () => {
      const filter = REF_TAGS.map((t) => `${t}==@${id}`).join(' or ');
      return (await session.client.read(filter, { limit: 500 })).rows;
    },
    [id],
    session.live,
  );
  const out = refsOut(entity);
  return html`<section aria-labelledby="related-title">
    <h2 id="related-title">Related</h2>
    <h3>Refers to</h3>
    ${
      out.length === 0
        ? html`<p class="muted">Nothing</p>`
        : html`<ul class="refs-out">
      ${out.map(([tag, r]) => html`<li key=${tag}><span class="muted">${tag}</span> <${ValView} v=${r} /></li>`)}</ul>`
    }
    <h3>Referred to by</h3>
    ${refsIn.error !== undefined ? html`<p class="error" role="alert">${refsIn.error}</p>` : null}
    ${
      refsIn.value === undefined
        ? html`<p class="muted">Loading\u2026</p>`
        : refsIn.value.length === 0
          ? html`<p class="muted">Nothing</p>`
          : html`<ul class="refs-in">${refsIn.value.map((row) => {
              const rid = row.id?.id ?? '';
              return html`<li key=${rid}><a href=${entityHref(rid)}>${row.dis()}</a></li>`;
            })}</ul>`
    }
  </section>`;
}

const DURATIONS: readonly (readonly [string, number | undefined])[] = [
  ['Until released', undefined],
  ['5 minutes', 5],
  ['30 minutes', 30],
  ['1 hour', 60],
  ['8 hours', 480],
];

/** The value typed into the write form, as the point's kind. */
function parseWriteVal(kind: Val | undefined, text: string, unit: Val | undefined): Val {
  // The select starts on "choose": writing false for it would command the point off unasked.
  if (kind === 'Bool') {
    if (text !== 'true' && text !== 'false') throw new Error('Choose true or false');
    return text === 'true';
  }
  if (kind === 'Str') return text;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`Not a number: ${text}`);
  return new Num(n, typeof unit === 'string' ? unit : undefined);
}

function PriorityArray({ session, entity, id, role }: PartProps & { readonly role?: string | undefined }): VNode {
  const [version, setVersion] = useState(0);
  const [level, setLevel] = useState('8');
  const [value, setValue] = useState('');
  const [minutes, setMinutes] = useState('');
  const [status, setStatus] = useState<{ error: boolean; text: string } | undefined>(undefined);
  const writeVal = entity.get('writeVal');
  const array = useAsync(
    async () => (await session.client.pointWriteArray(id)).rows,
    [id, version, valText(writeVal)],
    session.live,
  );
  const kind = entity.get('kind');
  const unit = entity.get('unit');

  const write = async (release: boolean): Promise<void> => {
    try {
      const val = release ? null : parseWriteVal(kind, value, unit);
      const mins = minutes === '' ? undefined : Number(minutes);
      await session.client.pointWrite(id, Number(level), val, {
        who: session.username ?? 'web UI',
        ...(mins === undefined || release ? {} : { duration: new Num(mins, 'min') }),
      });
      setStatus({
        error: false,
        text: release ? `Released level ${level}` : `Wrote ${valText(val)} at level ${level}`,
      });
      setVersion((v) => v + 1);
    } catch (err) {
      setStatus({ error: true, text: errorText(err) });
    }
  };

  return html`<section aria-labelledby="pa-title">
    <h2 id="pa-title">Priority array</h2>
    ${array.error !== undefined ? html`<p class="error" role="alert">${array.error}</p>` : null}
    <table class="priority">
      <thead><tr><th scope="col">Level</th><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Who</th></tr></thead>
      <tbody>${(array.value ?? []).map((r) => {
        const has = r.get('val') !== null;
        return html`<tr key=${valText(r.get('level'))} class=${has ? 'set' : ''}>
          <td>${valText(r.get('level'))}</td><td>${valText(r.get('levelDis'))}</td>
          <td><${ValView} v=${r.get('val')} /></td><td>${valText(r.get('who'))}</td></tr>`;
      })}</tbody>
    </table>
    ${
      role === 'viewer'
        ? html`<p class="muted">Only an operator or an admin can write; you are logged in as ${session.username} (viewer).</p>`
        : html`<form class="write-form" aria-label="Write a value" onSubmit=${(e: Event) => {
            e.preventDefault();
            void write(false);
          }}>
      <label>Level
        <select name="level" value=${level} onChange=${(e: Event) => {
          setLevel((e.currentTarget as HTMLSelectElement).value);
        }}>${Array.from({ length: 17 }, (_, i) => html`<option key=${i} value=${String(i + 1)}>${i + 1}</option>`)}</select>
      </label>
      <label>Value${typeof unit === 'string' ? ` (${unit})` : ''}
        ${
          kind === 'Bool'
            ? html`<select name="value" required value=${value} onChange=${(e: Event) => {
                setValue((e.currentTarget as HTMLSelectElement).value);
              }}><option value="">choose</option><option value="true">true</option><option value="false">false</option></select>`
            : html`<input name="value" required inputmode=${kind === 'Number' ? 'decimal' : 'text'} value=${value}
              onInput=${(e: Event) => {
                setValue((e.currentTarget as HTMLInputElement).value);
              }} />`
        }
      </label>
      <label>Duration
        <select name="duration" value=${minutes} onChange=${(e: Event) => {
          setMinutes((e.currentTarget as HTMLSelectElement).value);
        }}>${DURATIONS.map(([dis, m]) => html`<option key=${dis} value=${m === undefined ? '' : String(m)}>${dis}</option>`)}</select>
      </label>
      <button type="submit">Write</button>
      <button type="button" onClick=${() => {
        void write(true);
      }}>Release level</button>
    </form>`
    }
    ${status === undefined ? null : html`<p class=${status.error ? 'error' : 'ok'} role=${status.error ? 'alert' : 'status'}>${status.text}</p>`}
  </section>`;
}

// SkySpark's convention: an `actions` grid with a `dis` and an action name per row.
function actionRows(entity: Dict): readonly { name: string; dis: string }[] {
  const v = entity.get('actions');
  if (kindOf(v) !== 'grid') return [];
  const out: { name: string; dis: string }[] = [];
  for (const row of (v as Grid).rows) {
    const name = row.get('action') ?? row.get('name');
    if (typeof name === 'string') out.push({ name, dis: typeof row.get('dis') === 'string' ? row.dis() : name });
  }
  return out;
}

function Actions({ session, entity, id }: PartProps): VNode | null {
  const [status, setStatus] = useState<{ error: boolean; text: string } | undefined>(undefined);
  const actions = actionRows(entity);
  if (actions.length === 0) return null;
  const invoke = async (name: string): Promise<void> => {
    try {
      await session.client.invokeAction(id, name, Dict.EMPTY);
      setStatus({ error: false, text: `${name}: done` });
    } catch (err) {
      setStatus({ error: true, text: errorText(err) });
    }
  };
  return html`<section aria-labelledby="actions-title">
    <h2 id="actions-title">Actions</h2>
    <ul class="actions">${actions.map(
      (a) =>
        html`<li key=${a.name}><button type="button" onClick=${() => {
          void invoke(a.name);
        }}>${a.dis}</button></li>`,
    )}</ul>
    ${status === undefined ? null : html`<p class=${status.error ? 'error' : 'ok'} role=${status.error ? 'alert' : 'status'}>${status.text}</p>`}
  </section>`;
}
