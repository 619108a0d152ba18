// The page at `/`: tells a person at a browser what this server is and where to go (the API root, docs, the UI).

import type { ServerResponse } from 'node:http';

/** A link on the home page. */
export interface HomeLink {
  /** Where it goes (absolute, or a path on this server). */
  readonly href: string;
  /** What it is called. */
  readonly label: string;
  /** One line about it. */
  readonly note?: string;
}

/** Links every home page shows after the API root: the specification and the package's documentation. */
export const DEFAULT_HOME_LINKS: readonly HomeLink[] = Object.freeze([
  {
    href: 'https://project-haystack.org/doc/docHaystack/HttpApi',
    label: 'Project Haystack HTTP API',
    note: 'the ops this server answers and how to call them',
  },
  {
    href: 'https://github.com/haystack-ts/haystack-ts#readme',
    label: 'haystack-ts documentation',
    note: 'the README, the CLI and the API reference (npm run docs)',
  },
]);

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe inside HTML elements and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The HTML of the home page: the server's name, its API root, then `links`. */
export function homePageHtml(serverName: string, basePath: string, links: readonly HomeLink[]): string {
  const item = (l: HomeLink): string =>
    `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a>${l.note === undefined ? '' : ` &mdash; ${escapeHtml(l.note)}`}</li>`;
  const api: HomeLink = {
    href: `${basePath}about`,
    label: `API root: ${basePath}`,
    note: 'a Haystack 4 HTTP API; about, read, nav, hisRead... answer in Zinc, JSON, Trio or CSV',
  };
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(serverName)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}</style>
</head>
<body>
<h1>${escapeHtml(serverName)}</h1>
<p>A Project Haystack server. Clients call <code>${escapeHtml(basePath)}{op}</code>, e.g.
<code>${escapeHtml(basePath)}read?filter=site</code>; from a shell: <code>haystack read --url URL site</code>.</p>
<ul>
${[api, ...links].map(item).join('\n')}
</ul>
</body>
</html>
`;
}

/** Answer GET/HEAD `/` with the page (never cached: the links may change with the server's options). */
export function sendHomePage(res: ServerResponse, html: string, head: boolean): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(head ? undefined : body);
}
