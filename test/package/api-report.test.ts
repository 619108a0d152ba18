// The checked-in API reports (api/*.api.md) match the public API: a change to any entry point's exports or their
// signatures fails here until `npm run api` rewrites the reports, so the change shows in review.
import { describe, expect, it } from 'vitest';
import { API_COMMAND, readApiReports, renderApiReports } from '../support/api-report.js';

describe('api/*.api.md', () => {
  const want = renderApiReports();

  it('matches every entry point of package.json exports', () => {
    const have = readApiReports();
    const stale = [...new Set([...want.keys(), ...have.keys()])]
      .filter((file) => want.get(file) !== have.get(file))
      .sort();
    const message =
      `The public API changed; run \`${API_COMMAND}\` and commit api/ (${stale.map((f) => `api/${f}`).join(', ')} ` +
      'out of date). Check the diff: every new name is public API.';
    expect(stale, message).toEqual([]);
  });

  it('lists names with their signatures, without private members or bodies', () => {
    const core = want.get('haystack-ts.api.md') ?? '';
    expect(core).toMatch(/^### decodeZinc$/m);
    expect(core).toContain('export function decodeZinc(text: string');
    expect(core).not.toMatch(/^### limitExceeded$/m);
    // No `#private` member and no function body.
    expect(core).not.toMatch(/^\s+#\w/m);
    expect(core).not.toContain('return ');
  });
});
