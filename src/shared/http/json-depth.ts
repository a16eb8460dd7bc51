/** Deeper than any body the API takes (a view's filters are two levels), shallow enough for every recursive walker. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether parsed JSON nests arrays/objects more than `max` levels deep. Iterative, so a hostile
 * body cannot overflow the stack here the way it would in class-transformer or JSON.stringify.
 */
export function jsonDepthExceeds(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export class JsonTooDeep extends Error {
  readonly statusCode = 400;
  constructor() {
    super(`JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
}
