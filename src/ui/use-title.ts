// The page's title names the screen: what the tabs, the bookmarks and the list of Back show (all the same before).

import { useEffect } from 'preact/hooks';

/** Title the page `what – haystack-ts`; undefined leaves the title to the screen (an entity names itself). */
export function useTitle(what: string | undefined): void {
  useEffect(() => {
    if (what !== undefined) document.title = `${what} \u2013 haystack-ts`;
  }, [what]);
}
