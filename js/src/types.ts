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

/** A JSONPath expression (docs/middleware.md, "JSONPath"), e.g. "$.spec.containers[*]". */
export type JsonPath = string;

/** What a middleware does when it cannot process a change: reject it, or let it through unchanged. */
export type OnError = 'fail' | 'skip';

export interface UnwindMapping {
  selector: JsonPath;
  label: string;
  key?: JsonPath;
  relation?: string;
  condition?: JsonPath;
}

export interface MapOutput {
  op?: 'Insert' | 'Update' | 'Delete';
  selector?: JsonPath;
  condition?: JsonPath;
  label?: string;
  id?: JsonPath;
  elementType?: 'Node' | { Relation: { inNodeId: JsonPath; outNodeId: JsonPath } };
  properties?: Record<string, JsonPath>;
}

/** Source middleware: one instance, named, of a kind with its config (docs/middleware.md). */
export type MiddlewareConfig =
  | { kind: 'unwind'; name: string; config: Record<string, UnwindMapping[]> }
  | { kind: 'map'; name: string; config: Record<string, { insert?: MapOutput[]; update?: MapOutput[]; delete?: MapOutput[] }> }
  | { kind: 'relabel'; name: string; config: { labelMappings: Record<string, string> } }
  | {
      kind: 'promote';
      name: string;
      config: { mappings: Array<{ path: JsonPath; target_name: string }>; on_conflict?: 'overwrite' | 'skip' | 'fail'; on_error?: OnError };
    }
  | {
      kind: 'parse_json';
      name: string;
      config: { target_property: string; output_property?: string; on_error?: OnError; max_json_size?: number; max_nesting_depth?: number };
    }
  | {
      kind: 'decoder';
      name: string;
      config: {
        encoding_type: 'base64' | 'base64url' | 'hex' | 'url' | 'json_escape';
        target_property: string;
        output_property?: string;
        strip_quotes?: boolean;
        on_error?: OnError;
        max_size_bytes?: number;
      };
    };

export interface QueryConfig {
  id: string;
  cypher: string;
  joins?: JoinConfig[];
  middleware?: MiddlewareConfig[];
  /** Which middleware, in order, each source's changes pass through (by middleware name). */
  sourcePipelines?: Record<string, string[]>;
  /** The middleware every source's changes pass through, used when sourcePipelines is absent. */
  pipeline?: string[];
}

/** What one query made of one change (or batch): its diffs, or the error that rejected it. */
export interface QueryDiffs {
  query: string;
  diffs: Diff[];
  /** Set when this query rejected the change (its state is unchanged; other queries proceed). */
  error?: CqError;
}
