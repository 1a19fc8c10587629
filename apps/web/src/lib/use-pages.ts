import { useCallback, useEffect, useState } from 'react';

interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * Cursor pages, newest first: the first page on mount (and when `key` changes), older ones on
 * `more()`. The api's cursors are opaque; the last page has none.
 */
export function usePages<T>(
  key: string,
  fetchPage: (cursor?: string) => Promise<Page<T> | { error: string }>,
): { items: T[]; more?: () => void; error?: string } {
  const [state, setState] = useState<{ items: T[]; next?: string; error?: string }>({ items: [] });
  const load = useCallback(
    async (cursor: string | undefined, keep: T[], isCancelled: () => boolean) => {
      const page = await fetchPage(cursor);
      if (isCancelled()) {
        return;
      }
      setState(
        'error' in page
          ? { items: keep, error: page.error }
          : { items: [...keep, ...page.items], next: page.nextCursor },
      );
    },
    // `fetchPage` is recreated on every render; `key` names what it fetches.
    [key],
  );
  useEffect(() => {
    let cancelled = false;
    setState({ items: [] });
    void load(undefined, [], () => cancelled);

    return () => {
      cancelled = true;
    };
  }, [load]);

  const { items, next, error } = state;

  return {
    items,
    error,
    more: next ? () => void load(next, items, () => false) : undefined,
  };
}
