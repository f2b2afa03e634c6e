/**
 * List filters: the `Filter` message sent URL-encoded as JSON in the `filter` query parameter
 * (`backend/api/v2beta1/filter.proto`). The v1beta1 task API takes the same predicates with the
 * operation under `op` instead of `operation` (`backend/api/v1beta1/filter.proto`).
 */

export type KfpPredicateOperation =
  | 'EQUALS'
  | 'NOT_EQUALS'
  | 'GREATER_THAN'
  | 'GREATER_THAN_EQUALS'
  | 'LESS_THAN'
  | 'LESS_THAN_EQUALS'
  | 'IN'
  | 'IS_SUBSTRING';

export interface KfpPredicate {
  key: string;
  operation: KfpPredicateOperation;
  int_value?: number;
  long_value?: string;
  string_value?: string;
  timestamp_value?: string;
  int_values?: { values: number[] };
  long_values?: { values: string[] };
  string_values?: { values: string[] };
}

export interface KfpFilter {
  predicates: KfpPredicate[];
}

const scalar = (key: string, operation: KfpPredicateOperation, value: string | number | Date): KfpPredicate => {
  if (value instanceof Date) return { key, operation, timestamp_value: value.toISOString() };
  if (typeof value === 'number') return { key, operation, long_value: String(Math.trunc(value)) };
  return { key, operation, string_value: value };
};

/** Predicate builders; combine them with `where(...)` (predicates are AND-ed). */
export const eq = (key: string, value: string | number | Date): KfpPredicate => scalar(key, 'EQUALS', value);
export const neq = (key: string, value: string | number | Date): KfpPredicate => scalar(key, 'NOT_EQUALS', value);
export const gt = (key: string, value: string | number | Date): KfpPredicate => scalar(key, 'GREATER_THAN', value);
export const lt = (key: string, value: string | number | Date): KfpPredicate => scalar(key, 'LESS_THAN', value);
export const contains = (key: string, value: string): KfpPredicate => ({
  key,
  operation: 'IS_SUBSTRING',
  string_value: value,
});
export const oneOf = (key: string, values: string[]): KfpPredicate => ({
  key,
  operation: 'IN',
  string_values: { values },
});

export function where(...predicates: KfpPredicate[]): KfpFilter {
  return { predicates };
}

/** The JSON of a filter for the v2beta1 APIs. */
export function filterJson(filter: KfpFilter): string {
  return JSON.stringify(filter);
}

/** The JSON of a filter for the v1beta1 task API (`op` instead of `operation`). */
export function filterJsonV1(filter: KfpFilter): string {
  return JSON.stringify({
    predicates: filter.predicates.map(({ operation, ...rest }) => ({ op: operation, ...rest })),
  });
}
