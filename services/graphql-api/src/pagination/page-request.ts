import type { PageRequest } from '@authtrail/read-model';
import { apiError } from '../errors/api-error';
import { type CursorKind, decodeCursor } from './cursor';

export interface PageLimits {
  readonly maxPageSize: number;
  readonly defaultPageSize: number;
}

/** `first` / `after` of a connection field, checked: cap → PAGE_SIZE_TOO_LARGE, bad cursor → INVALID_CURSOR. */
export function toPageRequest(kind: CursorKind, first: number | null | undefined, after: string | null | undefined, limits: PageLimits): PageRequest {
  const size = first ?? limits.defaultPageSize;
  if (size < 0) throw apiError('BAD_USER_INPUT', '`first` must not be negative', { argument: 'first' });
  if (size > limits.maxPageSize) {
    throw apiError('PAGE_SIZE_TOO_LARGE', `\`first\` is ${size}; at most ${limits.maxPageSize} per page`, { maxPageSize: limits.maxPageSize });
  }
  if (after === null || after === undefined) return { first: size };
  const decoded = decodeCursor(kind, after);
  if (!decoded.ok) throw apiError('INVALID_CURSOR', `invalid cursor: ${decoded.reason}`, { argument: 'after' });
  return { first: size, after: decoded.position };
}
