const MAX_PAGE = 1000;

/** A requested page size clamped to 1..MAX_PAGE (a page is read as one query). */
export const pageSize = (limit: number): number =>
  Math.min(Math.max(Math.trunc(limit) || 1, 1), MAX_PAGE);
