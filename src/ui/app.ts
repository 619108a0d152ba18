// The application shell: login, the header (screens, live connection state, logout), and hash routing.

import { Fragment, type VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { EntityView } from './entity-view.js';
import type { RangeChoice } from './history-view.js';
import { html } from './html.js';
import { lazyView, UpdateNotice } from './lazy-view.js';
import type { LiveState } from './live.js';
import { NavTree } from './nav-tree.js';
import { QueryView } from './query-view.js';
import { apiRoot, login, loginRequired, openWithoutLogin, resume, type Session } from './session.js';
import { errorText, useAsync } from './use-async.js';
import { useTitle } from './use-title.js';

// Chunks of their own, fetched when first opened: History brings uPlot (half the UI's code), and Users is for
// admins only; the first screen waits for neither.
const HistoryView = lazyView('history', () => import('./history-view.js').then((m) => m.HistoryView));
const UsersView = lazyView('users', () => import('./users-view.js').then((m) => m.UsersView));

/** A parsed address: the screen and its parameters (`#/query?filter=site`). */
interface Route {
  readonly screen: string;
  readonly arg: string;
  readonly params: URLSearchParams;
}

function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [screen = '', ...rest] = path.split('/');
  return { screen, arg: decodeArg(rest.join('/')), params: new URLSearchParams(query) };
}

// A hand-edited or cut-off address (`#/entity/%E0`) is not valid percent-encoding: show it as typed, not crash.
function decodeArg(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => {
      setHash(location.hash);
    };
    addEventListener('hashchange', on);
    return () => {
      removeEventListener('hashchange', on);
    };
  }, []);
  return hash;
}

function navigate(hash: string): void {
  location.hash = hash;
}

const LIVE_TEXT: Readonly<Record<LiveState, string>> = {
  connecting: 'Live: connecting',
  live: 'Live: connected',
  reconnecting: 'Live: reconnecting',
  offline: 'Live: offline',
};

function LiveBadge({ session }: { readonly session: Session }): VNode {
  // Drawn again on each report of the hub, not only on a new state: the reason can change while it stays offline.
  const [, redraw] = useState({});
  const [open, setOpen] = useState(false);
  const { state } = session.live;
  useEffect(() => {
    const off = session.live.onState((s) => {
      redraw({});
      // Each time the values go offline their reason starts closed: one opened before is not opened again by a
      // failed retry, nor one closed before by the user.
      if (s !== 'offline') setOpen(false);
    });
    // The connection may have changed state between the first render and this effect: start from where it is now.
    redraw({});
    return () => {
      off();
    };
  }, [session]);
  const why = state === 'offline' ? session.live.error : undefined;
  // The reason behind a disclosure, not a tooltip: a hover never comes from a keyboard or a finger. The button is
  // described by it too, so a screen reader says it on reaching the button.
  return html`<${Fragment}><span class=${`live-badge ${state}`} role="status" aria-live="polite">${LIVE_TEXT[state]}</span>
    ${
      why === undefined
        ? null
        : html`<button type="button" class="live-why-toggle" aria-expanded=${open} aria-controls="live-why"
        aria-describedby="live-why" onClick=${() => {
          setOpen(!open);
        }}>Why offline?</button><p id="live-why" class="live-why" hidden=${!open}>Live values are not updated: ${why}</p>`
    }</${Fragment}>`;
}

const SCREENS: readonly (readonly [string, string])[] = [
  ['', 'Explore'],
  ['query', 'Query'],
  ['history', 'History'],
  ['users', 'Users'],
];

interface ScreenProps {
  readonly session: Session;
  readonly route: Route;
  /** The user's role as the server has it (undefined until known, or without logins). */
  readonly role: string | undefined;
}

function Screen({ session, route, role }: ScreenProps): VNode {
  switch (route.screen) {
    case 'query':
      return html`<${QueryView} session=${session} filter=${route.params.get('filter') ?? ''} navigate=${navigate} />`;
    case 'entity':
      return html`<${EntityView} key=${route.arg} session=${session} id=${route.arg} role=${role} />`;
    case 'history': {
      const ids = (route.params.get('ids') ?? '').split(',').filter((s) => s !== '');
      const range = route.params.get('range') ?? 'today';
      return html`<${HistoryView} session=${session} ids=${ids}
        range=${(['today', 'yesterday', 'week', 'custom'].includes(range) ? range : 'today') as RangeChoice}
        from=${route.params.get('from') ?? ''} to=${route.params.get('to') ?? ''} navigate=${navigate} />`;
    }
    case 'users':
      return html`<${UsersView} session=${session} />`;
    default:
      return html`<section class="screen explore" aria-labelledby="explore-title">
        <h1 id="explore-title">${String(session.about.get('serverName') ?? 'Haystack')}</h1>
        <p class="muted">The building by site, equipment and point. Open an entity for its tags, live value and history.</p>
        <${NavTree} session=${session} />
      </section>`;
  }
}

function Shell({ session, onLogout }: { readonly session: Session; readonly onLogout: () => void }): VNode {
  const route = parseHash(useHash());
  const current = route.screen === 'entity' ? '' : route.screen;
  const filter = route.params.get('filter') ?? '';
  useTitle(
    route.screen === 'entity'
      ? undefined
      : route.screen === 'query' && filter !== ''
        ? `Query: ${filter}`
        : (SCREENS.find(([s]) => s === current)?.[1] ?? 'Explore'),
  );
  // The role as the server has it now (an admin may change it during the session): asked again on each screen.
  // A server without `whoami` leaves the name alone.
  const me = useAsync(
    async () => (session.username === undefined ? undefined : await (await session.users()).whoami()),
    [session, route.screen],
  );
  const moved = useRef(false);
  // After a move to another screen, focus goes to its content (as a page load would); not on the first screen,
  // where the skip link stays the first stop.
  useEffect(() => {
    if (moved.current) document.getElementById('main')?.focus();
    moved.current = true;
  }, [route.screen, route.arg]);
  return html`<div class="shell">
    <a class="skip" href="#main" onClick=${(e: Event) => {
      e.preventDefault();
      document.getElementById('main')?.focus();
    }}>Skip to content</a>
    <header class="top">
      <span class="brand">haystack-ts</span>
      <nav aria-label="Screens"><ul class="screens">
        ${SCREENS.map(
          ([screen, label]) => html`<li key=${screen}><a href=${`#/${screen}`}
          aria-current=${current === screen ? 'page' : undefined}>${label}</a></li>`,
        )}
      </ul></nav>
      <span class="spacer"></span>
      <${LiveBadge} session=${session} />
      ${session.username === undefined ? html`<span class="user muted">no login</span>` : html`<span class="user">${session.username}${me.value === undefined ? '' : ` (${me.value.role})`}</span>`}
      ${session.username === undefined ? null : html`<button type="button" onClick=${onLogout}>Log out</button>`}
    </header>
    <${UpdateNotice} />
    <main id="main" tabindex="-1"><${Screen} session=${session} route=${route} role=${me.value?.role} /></main>
    <footer>
      <a href=${`${session.api}about`}>API root: ${new URL(session.api).pathname}</a>
      <a href="https://project-haystack.org/doc/docHaystack/HttpApi" rel="noopener noreferrer">Haystack HTTP API</a>
      <span class="muted">${String(session.about.get('productName') ?? '')} ${String(session.about.get('productVersion') ?? '')}</span>
    </footer>
  </div>`;
}

interface LoginProps {
  readonly onSession: (s: Session) => void;
  /** Why the login is asked for again (the previous session ended), if it is. */
  readonly notice: string | undefined;
}

function Login({ onSession, notice }: LoginProps): VNode {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useTitle('Log in');
  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      onSession(await login(apiRoot(), username, password));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return html`<main class="login" id="main">
    <${UpdateNotice} />
    <form aria-labelledby="login-title" onSubmit=${(e: Event) => {
      e.preventDefault();
      void submit();
    }}>
      <h1 id="login-title">Log in</h1>
      ${notice === undefined ? null : html`<p role="status">${notice}</p>`}
      <label for="login-user">Username</label>
      <input id="login-user" name="username" autocomplete="username" required autofocus value=${username}
        onInput=${(e: Event) => {
          setUsername((e.currentTarget as HTMLInputElement).value);
        }} />
      <label for="login-password">Password</label>
      <input id="login-password" name="password" type="password" autocomplete="current-password" required value=${password}
        onInput=${(e: Event) => {
          setPassword((e.currentTarget as HTMLInputElement).value);
        }} />
      ${error === undefined ? null : html`<p class="error" role="alert">${error}</p>`}
      <button type="submit" disabled=${busy}>${busy ? 'Logging in\u2026' : 'Log in'}</button>
      <p class="muted">The password is proved with SCRAM-SHA-256; it is never sent.</p>
    </form>
  </main>`;
}

/** The whole UI: a login until there is a session, then the screens. */
export function App(): VNode {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [phase, setPhase] = useState<'starting' | 'login' | 'ready' | 'failed'>('starting');
  const [error, setError] = useState<string | undefined>(undefined);
  // Tries to reach the server so far: a failed start is tried again after 1, 2, 4 ... 30 s.
  const [tries, setTries] = useState(0);
  const [wait, setWait] = useState(0);
  useEffect(() => {
    let current = true;
    const api = apiRoot();
    const start = loginRequired() ? resume(api) : openWithoutLogin(api);
    start.then(
      (s) => {
        if (!current) return;
        setSession(s);
        setPhase(s === undefined ? 'login' : 'ready');
      },
      (err: unknown) => {
        if (!current) return;
        setError(errorText(err));
        setWait(Math.min(30, 2 ** tries));
        setPhase('failed');
      },
    );
    return () => {
      current = false;
    };
  }, [tries]);
  useEffect(() => {
    if (phase !== 'failed' || wait === 0) return undefined;
    const timer = setTimeout(() => {
      setWait(wait - 1);
      if (wait === 1) setTries((n) => n + 1);
    }, 1000);
    return () => {
      clearTimeout(timer);
    };
  }, [phase, wait]);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  // Back to the login, with why when the user did not ask for it; the hash is kept, so the login returns to the
  // screen they were on.
  const logout = (why?: string): void => {
    const s = session;
    setNotice(why);
    setSession(undefined);
    setPhase('login');
    s?.logout().catch((err: unknown) => {
      setError(errorText(err));
    });
  };
  useEffect(
    () =>
      session?.onExpired(() => {
        logout('Your session has ended. Log in again to continue.');
      }),
    [session],
  );
  if (phase === 'starting') return html`<p class="starting" role="status">Connecting\u2026</p>`;
  if (phase === 'failed') {
    // The alert is said once; the count below it changes every second, so it is no live region (a screen reader
    // would read out every second of it).
    return html`<main class="login" id="main">
      <p class="error" role="alert">Cannot reach the server: ${error}</p>
      <p>${wait === 0 ? 'Trying again\u2026' : `Trying again in ${wait} s.`}
        <button type="button" disabled=${wait === 0} onClick=${() => {
          setWait(0);
          setTries((n) => n + 1);
        }}>Try now</button></p>
    </main>`;
  }
  if (session === undefined) {
    return html`<${Login} notice=${notice} onSession=${(s: Session) => {
      setNotice(undefined);
      setSession(s);
      setPhase('ready');
    }} />`;
  }
  return html`<${Shell} session=${session} onLogout=${() => {
    logout();
  }} />`;
}
