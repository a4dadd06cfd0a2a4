// SPDX-License-Identifier: MIT
// The data types of the package. Change and Diff mirror the CHANGE and DIFF objects of the scenario
// format (shared/spec/scenario-format.md); QueryConfig mirrors a scenario's query object.
import type { CqError } from './errors.js';

/** A property value: what JSON can hold. Temporal values are ISO-8601 strings. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };
export type Row = Record<string, Value>;

export interface NodeElement {
  kind: 'node';
  source: string;
  id: string;
  labels: string[];
  /** The change's time, in milliseconds since the epoch (0 when absent). */
  effective_from?: number;
  properties?: Record<string, Value>;
}

export interface RelationElement {
  kind: 'relation';
  source: string;
  id: string;
  labels: string[];
  /** Element ids: (start)-[relation]->(end). */
  start: string;
  end: string;
  /** Default to the relation's own source. */
  start_source?: string;
  end_source?: string;
  effective_from?: number;
  properties?: Record<string, Value>;
}

export type Element = NodeElement | RelationElement;

/** insert; update (an upsert that merges the given properties over the stored ones); delete. */
export interface Change {
  op: 'insert' | 'update' | 'delete';
  element: Element;
}

export type Diff =
  | { kind: 'add'; after: Row }
  | { kind: 'update'; before: Row; after: Row }
  | { kind: 'remove'; before: Row }
  | { kind: 'aggregation'; before: Row | null; after: Row; grouping_keys: string[] };

export interface JoinKey {
  label: string;
  property: string;
}

/** A synthetic relation: nodes A and B are related by type `id` when A.property == B.property. */
export interface JoinConfig {
  id: string;
  keys: JoinKey[];
}

/** Source middleware (docs/middleware.md): kind unwind, map, relabel, promote, parse_json, decoder. */
export interface MiddlewareConfig {
  kind: string;
  name: string;
  config: Record<string, unknown>;
}

export interface QueryConfig {
  id: string;
  cypher: string;
  joins?: JoinConfig[];
  middleware?: MiddlewareConfig[];
  /** Which middleware, in order, each source's changes pass through. */
  sourcePipelines?: Record<string, string[]>;
}

/** What one query made of one change (or batch): its diffs, or the error that rejected it. */
export interface QueryDiffs {
  query: string;
  diffs: Diff[];
  /** Set when this query rejected the change (its state is unchanged; other queries proceed). */
  error?: CqError;
}
