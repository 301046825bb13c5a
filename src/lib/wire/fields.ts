/**
 * Field checks: the small predicates the frame table (validate.ts) is written in. Each says
 * whether a decoded value may stand in a field; `opt` and `nullable` wrap them.
 */
import { fitsDestination } from './names.js';

export type FieldCheck = (value: unknown) => boolean;

export const str: FieldCheck = (x) => typeof x === 'string';
/** A non-empty string (session ids, peers). */
export const nonEmpty: FieldCheck = (x) => typeof x === 'string' && x.length > 0;
export const bool: FieldCheck = (x) => typeof x === 'boolean';
export const num: FieldCheck = (x) => typeof x === 'number' && Number.isFinite(x);
/** A whole number ≥ 0 that a double holds exactly. */
export const count: FieldCheck = (x) => Number.isSafeInteger(x) && (x as number) >= 0;
/** A whole number ≥ 1 that a double holds exactly (sequence numbers). */
export const positive: FieldCheck = (x) => Number.isSafeInteger(x) && (x as number) >= 1;
/** Any JSON value, but present (null is a value; a missing field is not). */
export const json: FieldCheck = (x) => x !== undefined;
export const obj: FieldCheck = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
export const strArr: FieldCheck = (x) => Array.isArray(x) && x.every((s) => typeof s === 'string');
/** An object whose every value is a string (meta, headers). */
export const stringMap: FieldCheck = (x) => obj(x) && Object.values(x as object).every((v) => typeof v === 'string');
/** A node name: 1 to 255 bytes of UTF-8, as a packet destination holds it. */
export const nodeName: FieldCheck = (x) => typeof x === 'string' && x.length > 0 && fitsDestination(x);

export const opt =
  (check: FieldCheck): FieldCheck =>
  (x) =>
    x === undefined || check(x);
export const nullable =
  (check: FieldCheck): FieldCheck =>
  (x) =>
    x === null || check(x);
export const oneOf =
  (...values: readonly string[]): FieldCheck =>
  (x) =>
    typeof x === 'string' && values.includes(x);
export const arrayOf =
  (check: FieldCheck, max = Infinity): FieldCheck =>
  (x) =>
    Array.isArray(x) && x.length <= max && x.every(check);
