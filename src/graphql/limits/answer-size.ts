import type { RequestLedger } from "../../loaders/request-ledger.js";
import type { DoneHook } from "../execution-hooks.js";

/**
 * Bounds the bytes of a request's answers together, measured as Yoga will send them (with the
 * compiled serialiser graphql-jit attaches to an answer without errors). An answer carrying new
 * secrets (`mustSend`) is counted and always sent: withholding it would lose them.
 */
export function answerSize(ledger: RequestLedger, mustSend: boolean): DoneHook {
  return {
    onExecuteDone({ result, setResult }) {
      if (!("data" in result || "errors" in result)) return;
      const compiled = (result as { stringify?: (value: unknown) => string }).stringify;
      const json = compiled && !result.errors ? compiled(result) : JSON.stringify(result);
      const tooLarge = ledger.chargeAnswer(Buffer.byteLength(json), mustSend);
      if (tooLarge) {
        setResult({ errors: [tooLarge] });
      } else if (!result.errors && !result.extensions) {
        // Yoga serialises a result with its `stringify` when it has one: the JSON just made is
        // sent as is, unless a later plugin replaced the result (then it is serialised anew).
        const measured = {
          ...result,
          stringify: (value: unknown) => (value === measured ? json : (compiled ?? JSON.stringify)(value)),
        };
        setResult(measured);
      }
    },
  };
}
