// The admin screen: every user, with create, change role, enable/disable and delete (the server checks admin).

import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type UserJson, UsersApiError } from '../client/users-client.js';
import { html } from './html.js';
import type { Session } from './session.js';
import { errorText, useAsync } from './use-async.js';

const ROLES = ['viewer', 'operator', 'admin'] as const;

/** Props of {@link UsersView}. */
export interface UsersViewProps {
  readonly session: Session;
}

/** Users table and the new-user form. */
export function UsersView({ session }: UsersViewProps): VNode {
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState<{ error: boolean; text: string } | undefined>(undefined);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const list = useAsync(async () => {
    try {
      return await (await session.users()).list();
    } catch (err) {
      // Not an admin, or no users API (a server without logins): nothing on this screen can work, so it says
      // why instead of showing the server's error above a table and a form that could only fail.
      if (err instanceof UsersApiError && err.httpStatus === 403) {
        return `Only an admin can see and change users; you are logged in as ${session.username ?? 'a user'}.`;
      }
      if (err instanceof UsersApiError && err.httpStatus === 404) {
        return 'This server runs without logins: it has no users to manage.';
      }
      throw err;
    }
  }, [version]);

  // A deleted row takes its focused Delete button with it, which dropped the keyboard's place to the page's start:
  // the focus goes to the Delete button of the row now in its place, else the one before it.
  const deletedAt = useRef<number | undefined>(undefined);
  useEffect(() => {
    const at = deletedAt.current;
    if (at === undefined || list.loading) return;
    deletedAt.current = undefined;
    const buttons = document.querySelectorAll<HTMLElement>('.users-table tbody button');
    (buttons[at] ?? buttons[at - 1])?.focus();
  }, [list]);

  const act = async (what: string, step: () => Promise<unknown>): Promise<void> => {
    try {
      await step();
      setStatus({ error: false, text: what });
      setVersion((v) => v + 1);
    } catch (err) {
      setStatus({ error: true, text: errorText(err) });
    }
  };
  if (typeof list.value === 'string') {
    return html`<section class="screen users" aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <p role="status">${list.value}</p>
    </section>`;
  }
  const users = list.value ?? [];
  const row = (u: UserJson): VNode => html`<tr key=${u.username}>
    <th scope="row">${u.username}${u.username === session.username ? ' (you)' : ''}</th>
    <td><label class="sr-only" for=${`role-${u.username}`}>Role of ${u.username}</label>
      <select id=${`role-${u.username}`} value=${u.role} onChange=${(e: Event) => {
        const next = (e.currentTarget as HTMLSelectElement).value;
        void act(`${u.username} is now ${next}`, async () =>
          (await session.users()).update(u.username, { role: next }),
        );
      }}>${ROLES.map((r) => html`<option key=${r} value=${r}>${r}</option>`)}</select></td>
    <td><label><input type="checkbox" checked=${u.enabled} onChange=${(e: Event) => {
      const enabled = (e.currentTarget as HTMLInputElement).checked;
      void act(`${u.username} ${enabled ? 'enabled' : 'disabled'}`, async () =>
        (await session.users()).update(u.username, { enabled }),
      );
    }} /> <span class="sr-only">${u.username} </span>enabled</label></td>
    <td>${u.created.slice(0, 10)}</td>
    <td><button type="button" class="danger" aria-label=${`Delete ${u.username}`} onClick=${() => {
      if (confirm(`Delete user ${u.username}?`)) {
        deletedAt.current = users.indexOf(u);
        void act(`${u.username} deleted`, async () => (await session.users()).remove(u.username));
      }
    }}>Delete</button></td>
  </tr>`;

  return html`<section class="screen users" aria-labelledby="users-title">
    <h1 id="users-title">Users</h1>
    ${list.error !== undefined ? html`<p class="error" role="alert">${list.error}</p>` : null}
    ${status === undefined ? null : html`<p class=${status.error ? 'error' : 'ok'} role=${status.error ? 'alert' : 'status'}>${status.text}</p>`}
    <div class="table-wrap"><table class="users-table">
      <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Enabled</th>
        <th scope="col">Created</th><th scope="col"><span class="sr-only">Delete</span></th></tr></thead>
      <tbody>${users.map(row)}</tbody>
    </table></div>
    <h2 id="new-user-title">New user</h2>
    <form class="new-user" aria-labelledby="new-user-title" onSubmit=${(e: Event) => {
      e.preventDefault();
      const username = name.trim();
      void act(`${username} created`, async () => {
        await (await session.users()).create({ username, password, role });
        setName('');
        setPassword('');
      });
    }}>
      <label>Username <input name="username" required autocomplete="off" value=${name} onInput=${(e: Event) => {
        setName((e.currentTarget as HTMLInputElement).value);
      }} /></label>
      <label>Password <input name="password" type="password" required autocomplete="new-password" value=${password}
        onInput=${(e: Event) => {
          setPassword((e.currentTarget as HTMLInputElement).value);
        }} /></label>
      <label>Role <select name="role" value=${role} onChange=${(e: Event) => {
        setRole((e.currentTarget as HTMLSelectElement).value);
      }}>${ROLES.map((r) => html`<option key=${r} value=${r}>${r}</option>`)}</select></label>
      <button type="submit">Create user</button>
    </form>
  </section>`;
}
