// SPDX-License-Identifier: MIT
// The error classes the package throws. Every error is a CqError with the engine's `code` (one of
// core/common/error_codes.def, generated into ./generated/error_codes.ts) and the details the engine
// gave; the class says which layer failed, so callers can catch by class or switch on `code`.
import { errorCodes, type CqErrorCode } from './generated/error_codes.js';

export { errorCodes, type CqErrorCode };

/** The error object of the C ABI: {"code", "number", "message", "line"?, "column"?}. */
export interface CqErrorDetails {
  code: CqErrorCode;
  number?: number;
  message: string;
  line?: number;
  column?: number;
  [key: string]: unknown;
}

export class CqError extends Error {
  readonly code: CqErrorCode;
  readonly details: CqErrorDetails;
  constructor(details: CqErrorDetails) {
    super(details.message);
    this.name = 'CqError';
    this.code = details.code;
    this.details = details;
  }
}

/** The Cypher text does not parse; `line` and `column` (1-based) say where. */
export class CqParseError extends CqError {
  readonly line: number;
  readonly column: number;
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqParseError';
    this.line = details.line ?? 0;
    this.column = details.column ?? 0;
  }
}

/** The query parsed but cannot be registered (unknown function or variable, unsupported feature). */
export class CqQueryError extends CqError {
  readonly line: number;
  readonly column: number;
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqQueryError';
    this.line = details.line ?? 0;
    this.column = details.column ?? 0;
  }
}

/** Evaluating a query on a change failed (wrong types, division by zero, overflow). */
export class CqEvalError extends CqError {
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqEvalError';
  }
}

/** Malformed input: JSON, a change, a query configuration, an unknown or duplicate query id. */
export class CqInputError extends CqError {
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqInputError';
  }
}

/** The storage layer failed. Subclasses for the two a caller usually handles. */
export class CqStorageError extends CqError {
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqStorageError';
  }
}

/** The database is held by another tab, worker or process (code StorageLocked). */
export class CqStorageLockedError extends CqStorageError {
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqStorageLockedError';
  }
}

/** The disk or the origin's quota is full (code StorageFull). The change was not committed;
 * everything committed before it is kept. */
export class CqStorageFullError extends CqStorageError {
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqStorageFullError';
  }
}

/** The API was used in a way it does not allow (closed engine, wrong storage for snapshot()...). */
export class CqMisuseError extends CqError {
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqMisuseError';
  }
}

/** A changes() consumer fell further behind than its bufferLimit. Every diff before this error
 * was delivered; re-read results(queryId) to resynchronise. */
export class CqSubscriberOverflowError extends CqMisuseError {
  constructor(queryId: string, limit: number) {
    super({ code: 'Misuse', message: `changes('${queryId}'): more than ${limit} diffs buffered for a consumer that did not pull them` });
    this.name = 'CqSubscriberOverflowError';
  }
}

/** An invariant failed inside cqlite: a bug; please report it. */
export class CqInternalError extends CqError {
  constructor(details: CqErrorDetails) {
    super(details);
    this.name = 'CqInternalError';
  }
}

/** The CqError subclass for an error object of the C ABI (or a worker message). */
export function toCqError(details: CqErrorDetails): CqError {
  const code = details.code in errorCodes ? details.code : 'Internal';
  const d = { ...details, code };
  if (code === 'ParseError') return new CqParseError(d);
  if (code === 'StorageLocked') return new CqStorageLockedError(d);
  if (code === 'StorageFull') return new CqStorageFullError(d);
  switch (errorCodes[code].layer) {
    case 'bind': return new CqQueryError(d);
    case 'eval': return new CqEvalError(d);
    case 'input': return new CqInputError(d);
    case 'storage': return new CqStorageError(d);
    case 'misuse': return new CqMisuseError(d);
    default: return new CqInternalError(d);
  }
}
