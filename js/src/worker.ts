// SPDX-License-Identifier: MIT
// The dedicated-worker side of WorkerEngine (browser.ts): hosts one Engine (storage 'opfs' works
// here: sync access handles exist only in dedicated workers) and answers the client's requests.
// Every call's diffs travel back in its reply, once per call; diffs that timers fire are posted as
// one 'diffs' message per firing.
import { Engine, type EngineOptions } from './engine.js';
import { CqError } from './errors.js';
import type { QueryDiffs } from './types.js';

export interface WorkerRequest {
  id: number;
  method: string;
  args: unknown[];
}

interface Scope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent<WorkerRequest>) => void): void;
}

/** Errors cross as plain objects; the client rebuilds the CqError class from the code. */
export function errorToWire(e: unknown): Record<string, unknown> {
  if (e instanceof CqError) return { ...e.details, code: e.code, message: e.message, cq: true };
  return { code: 'Internal', message: String((e as Error)?.message ?? e), cq: false };
}

function outputsToWire(outputs: QueryDiffs[]): unknown[] {
  return outputs.map((o) => (o.error ? { ...o, error: errorToWire(o.error) } : o));
}

/** Serves requests on `scope` (the worker's global scope). */
export function serveEngine(scope: Scope): void {
  let engine: Engine | undefined;
  let inCall = false;
  let timerBatch: QueryDiffs[] = [];
  const watched = new Set<string>();
  const watch = (queryId: string) => {
    if (!engine || watched.has(queryId)) return;
    watched.add(queryId);
    engine.subscribe(queryId, (diffs, query) => {
      if (inCall) return;
      // Diffs fired by the engine's own timers: batched into one message per task.
      if (timerBatch.length === 0) queueMicrotask(() => {
        scope.postMessage({ event: 'diffs', outputs: timerBatch });
        timerBatch = [];
      });
      timerBatch.push({ query, diffs });
    });
  };
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    if (method === 'open') {
      engine = await Engine.open(args[0] as EngineOptions);
      for (const q of engine.queries()) watch(q.id);
      return engine.version();
    }
    if (!engine) throw new CqError({ code: 'Misuse', message: 'the engine is not open' });
    const e = engine;
    switch (method) {
      case 'registerQuery': {
        const q = args[0] as Parameters<Engine['registerQuery']>[0];
        e.registerQuery(q);
        watch(q.id);
        return null;
      }
      case 'removeQuery': e.removeQuery(args[0] as string); watched.delete(args[0] as string); return null;
      case 'queries': return e.queries();
      case 'results': return e.results(args[0] as string);
      case 'applyChange': return outputsToWire(e.applyChange(args[0] as Parameters<Engine['applyChange']>[0]));
      case 'applyChanges': return outputsToWire(e.applyChanges(args[0] as Parameters<Engine['applyChanges']>[0]));
      case 'applyEach':
        return e.applyEach(args[0] as Parameters<Engine['applyEach']>[0]).map((r) =>
          Array.isArray(r) ? outputsToWire(r) : { error: errorToWire(r.error) },
        );
      case 'advanceTime': return outputsToWire(e.advanceTime(args[0] as number));
      case 'nextDueTime': return e.nextDueTime() ?? null;
      case 'snapshot': return e.snapshot();
      case 'restore': e.restore(args[0] as Uint8Array); return null;
      case 'close': e.close(); engine = undefined; watched.clear(); return null;
      default: throw new CqError({ code: 'Misuse', message: `unknown method ${method}` });
    }
  };
  scope.addEventListener('message', (ev) => {
    const { id, method, args } = ev.data;
    inCall = true;
    call(method, args).then(
      (result) => {
        inCall = false;
        scope.postMessage({ id, result });
      },
      (error) => {
        inCall = false;
        scope.postMessage({ id, error: errorToWire(error) });
      },
    );
  });
}

// Started as a worker script: serve at once.
const g = globalThis as unknown as { WorkerGlobalScope?: unknown } & Scope;
if (typeof g.WorkerGlobalScope !== 'undefined' && typeof g.postMessage === 'function') serveEngine(g);
