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

/** Pages beyond any table: deeper requests are clamped here, so offsets stay exact in a double and in int8. */
export const MAX_PAGE = 999_999_999;

/** A positive integer of any number of digits, clamped to `max` (a huge page is simply past the end). */
function positiveInt(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidInput(`\`${name}\` must be a positive integer`, { fields: { [name]: 'must be a positive integer' } });
  }
  return Math.min(Number(value), max);
}

/** `page` (≥ 1) and `page_size` (≥ 1, clamped to 100) from a query string; garbage is a 400. */
export function parsePage(query: Record<string, unknown> | undefined, maxPageSize = MAX_PAGE_SIZE): PageRequest {
  const page = positiveInt(query?.page, 'page', 1, MAX_PAGE);
  const pageSize = positiveInt(query?.page_size, 'page_size', DEFAULT_PAGE_SIZE, maxPageSize);
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
