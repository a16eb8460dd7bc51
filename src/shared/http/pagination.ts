import { InvalidInput } from './errors.js';

export const DEFAULT_PAGE_SIZE = 30;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export interface PageResults<T> {
  results: T[];
  total: number;
  per_page: number;
  total_pages: number;
  page: number;
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) < 1) {
    throw new InvalidInput(`\`${name}\` must be a positive integer`, { fields: { [name]: 'must be a positive integer' } });
  }
  return Number(value);
}

/** `page` (≥ 1) and `page_size` (≥ 1, clamped to 100) from a query string; garbage is a 400. */
export function parsePage(query: Record<string, unknown> | undefined, maxPageSize = MAX_PAGE_SIZE): PageRequest {
  const page = positiveInt(query?.page, 'page', 1);
  const pageSize = Math.min(positiveInt(query?.page_size, 'page_size', DEFAULT_PAGE_SIZE), maxPageSize);
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export function pageResults<T>(results: T[], total: number, request: PageRequest): PageResults<T> {
  return {
    results,
    total,
    per_page: request.pageSize,
    total_pages: Math.ceil(total / request.pageSize),
    page: request.page,
  };
}
