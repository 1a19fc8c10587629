/** A request URL without its query string: what logs, metrics, limits and keys are about. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');

  return query === -1 ? url : url.slice(0, query);
}

/** Paths whose traffic is probes, not user traffic: kept out of RED metrics and traces. */
export const isOperationalPath = (path: string): boolean =>
  path.startsWith('/health/') || path === '/health';
