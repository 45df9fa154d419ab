import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "../schema/resolver-context.js";

type OnExecute = NonNullable<Plugin<GraphQLContext>["onExecute"]>;
type ExecutePayload = Parameters<OnExecute>[0];
type OnExecuteDone = NonNullable<Extract<Awaited<ReturnType<OnExecute>>, object>["onExecuteDone"]>;
type ExecuteDonePayload = Parameters<OnExecuteDone>[0];

/** An execution hook that answers at once: every one of this service's. */
export interface ExecutionHook {
  onExecute(payload: ExecutePayload): undefined | DoneHook;
}

export interface DoneHook {
  onExecuteDone(payload: ExecuteDonePayload): void;
}

/**
 * Execution hooks run as one envelop hook, in the order given and with envelop's semantics: a
 * hook sees the executor the hooks before it set; one that stops execution ends the chain, and
 * the done hooks of those that ran see the result, each as the one before left it. Envelop
 * builds a payload, its closures and a promise helper for every hook of every operation: as one
 * hook, that is paid once (bench/README.md).
 */
export function useExecutionHooks(hooks: ExecutionHook[]): Plugin<GraphQLContext> {
  return {
    onExecute(payload) {
      let stopped = false;
      const dones: DoneHook[] = [];
      // One payload for all, its executor kept current as envelop's would be for the next hook.
      const shared: ExecutePayload = {
        ...payload,
        setExecuteFn(executeFn) {
          shared.executeFn = executeFn;
          payload.setExecuteFn(executeFn);
        },
        setResultAndStopExecution(result) {
          stopped = true;
          payload.setResultAndStopExecution(result);
        },
      };
      for (const hook of hooks) {
        const after = hook.onExecute(shared);
        if (after) dones.push(after);
        if (stopped) break;
      }
      if (dones.length === 0) return;
      return {
        onExecuteDone(donePayload) {
          const current: ExecuteDonePayload = {
            ...donePayload,
            setResult(result) {
              current.result = result;
              donePayload.setResult(result);
            },
          };
          for (const done of dones) done.onExecuteDone(current);
        },
      };
    },
  };
}
