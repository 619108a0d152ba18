// Finding the API root a person meant when the URL they gave answers 404 (e.g. http://host:8080 without /api).

/** Common API roots to try, in order: haystack-ts, Haxall, haystack-py and nHaystack serve ops under `/api/`. */
const CANDIDATE_PATHS = ['api/', 'haystack/'];

/**
 * The API root a server really has near `url`, found by asking each candidate's `about` op (GET, as the Auth
 * chapter's examples do): one answering 200 with a grid or 401 (a login is wanted) is a Haystack API. Undefined
 * when no candidate answers, or when `url` itself already ends in a candidate.
 */
export async function findApiRoot(
  url: string,
  fetchFn: typeof fetch = globalThis.fetch,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let base: URL;
  try {
    base = new URL(url.endsWith('/') ? url : `${url}/`);
  } catch {
    return undefined;
  }
  for (const candidatePath of CANDIDATE_PATHS) {
    if (base.pathname.endsWith(`/${candidatePath}`)) continue;
    const root = new URL(candidatePath, base).href;
    try {
      const res = await fetchFn(new URL('about', root).href, {
        method: 'GET',
        headers: { accept: 'text/zinc' },
        ...(signal === undefined ? {} : { signal }),
      });
      await res.body?.cancel();
      const type = res.headers.get('content-type') ?? '';
      if (res.status === 401 || (res.ok && /zinc|json/i.test(type))) return root;
    } catch {
      // Unreachable now means no suggestion, not a second error.
    }
  }
  return undefined;
}
