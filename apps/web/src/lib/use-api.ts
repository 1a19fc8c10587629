import { useEffect, useState } from 'react';

/** A page's load: the data once it arrives, or the error's text. Reruns when `deps` change. */
export function useLoad<T>(
  load: () => Promise<{ data?: T; error?: { detail: string } }>,
  deps: readonly unknown[],
): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    let cancelled = false;
    void load().then(
      ({ data, error }) => {
        if (!cancelled) {
          setState(data !== undefined ? { data } : { error: error?.detail ?? 'Not available' });
        }
      },
      () => {
        if (!cancelled) {
          setState({ error: 'The server could not be reached' });
        }
      },
    );

    return () => {
      cancelled = true;
    };
  }, deps);

  return state;
}
