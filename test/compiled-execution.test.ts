import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningFacade } from "../src/facade.js";
import { type GeneratedDocument, generatedDocument, PROPERTY_SEED } from "./support/generated-documents.js";
import { READ, type Stack, startStack } from "./support/stack.js";

/**
 * Compiled execution is a shortcut: a facade that compiles (from an operation's second use)
 * answers every generated document byte for byte as one that never compiles, on the first use
 * and on the later ones, for a caller with both scopes and one with read alone.
 */

async function post(facade: RunningFacade, document: GeneratedDocument, operationName: string, token: string) {
  const response = await fetch(facade.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: document.text, operationName, variables: document.variables }),
  });
  return `${response.status} ${await response.text()}`;
}

/** A rotation's answer changes with every call: its new secret and its time are replaced by placeholders. */
const withoutRotatedValues = (answer: string) =>
  answer.replace(/"((?:a_)?(?:clientSecret|updatedAt))":"[^"]*"/g, '"$1":"…"');

async function compilations(facade: RunningFacade): Promise<number> {
  const text = await (await fetch(`${facade.url}/metrics`)).text();
  return Number(/^graphql_compilations_total (\d+)/m.exec(text)?.[1] ?? 0);
}

describe("compiled execution answers exactly as graphql-js", () => {
  let stack: Stack;
  let interpreted: RunningFacade;
  let readOnly: string;
  beforeAll(async () => {
    stack = await startStack();
    interpreted = await stack.startAnotherFacade({ compiledExecution: false });
    readOnly = await stack.mint([READ]);
  });
  afterAll(() => stack.close());

  it("over generated documents, on every use", async () => {
    const before = await compilations(stack.facade);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          generatedDocument({ mutations: true, conditions: true }),
          generatedDocument({ mutations: true, conditions: false }),
        ),
        fc.boolean(),
        async (document, manage) => {
          const token = manage ? stack.token : readOnly;
          for (const { name, kind } of document.operations) {
            const normal = kind === "mutation" ? withoutRotatedValues : (answer: string) => answer;
            const expected = normal(await post(interpreted, document, name, token));
            for (let use = 1; use <= 3; use++) {
              const answer = normal(await post(stack.facade, document, name, token));
              expect(answer, `${name}, use ${use}, of:\n${document.text}`).toBe(expected);
            }
          }
        },
      ),
      { numRuns: 150, seed: PROPERTY_SEED },
    );
    // The property is not vacuous: the generated queries without conditions were compiled.
    expect(await compilations(stack.facade)).toBeGreaterThan(before + 10);
  });
});
