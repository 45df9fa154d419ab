import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GENERATED_CLIENT_IDS,
  type GeneratedDocument,
  generatedDocument,
  PROPERTY_SEED,
} from "./support/generated-documents.js";
import { type GraphQLBody, type Stack, startStack } from "./support/stack.js";

/**
 * The rotation invariant over a generated corpus of requests (single operations and batches of
 * generated documents: defaults, conditions, fragments, duplicates), each sent three times so
 * that later uses run whatever execution compiles: after any request, every rotation the
 * upstream committed has its new secret in the answer, no answered secret is dead, no client is
 * rotated twice in one HTTP request, and a request refused whole rotated nothing.
 */

type Answer = GraphQLBody;

/** Every secret a rotation's answer carries (under any alias of clientSecret). */
function rotatedSecrets(answers: Answer[]): string[] {
  const secrets: string[] = [];
  const collect = (value: unknown) => {
    if (!value || typeof value !== "object") return;
    for (const [key, inner] of Object.entries(value)) {
      if (key.endsWith("clientSecret") && typeof inner === "string") secrets.push(inner);
      else collect(inner);
    }
  };
  for (const answer of answers) {
    for (const [alias, value] of Object.entries(answer.data ?? {})) if (alias.startsWith("m")) collect(value);
  }
  return secrets;
}

describe("every committed rotation is answered, over a generated corpus", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  async function heldSecrets(): Promise<Map<string, string>> {
    const held = new Map<string, string>();
    for (const id of GENERATED_CLIENT_IDS) held.set(id, await stack.secretOf(id));
    return held;
  }

  async function send(members: { document: GeneratedDocument; operation: string }[]): Promise<Answer[]> {
    const requests = members.map(({ document, operation }) => ({
      query: document.text,
      operationName: operation,
      variables: document.variables,
    }));
    const response = await fetch(stack.facade.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.token}` },
      body: JSON.stringify(requests.length === 1 ? requests[0] : requests),
    });
    const body = await response.json();
    return Array.isArray(body) ? body : [body];
  }

  it("holds after every request, on the first use of a document and on later ones", async () => {
    const member = fc
      .tuple(
        fc.oneof(
          generatedDocument({ mutations: true, conditions: true }),
          generatedDocument({ mutations: true, conditions: false }),
        ),
        fc.nat(),
      )
      .map(([document, pick]) => ({
        document,
        operation: document.operations[pick % document.operations.length]!.name,
      }));
    let rotations = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(member, { minLength: 1, maxLength: 4 }), async (members) => {
        for (let use = 1; use <= 3; use++) {
          const before = await heldSecrets();
          await stack.resetUpstreamStats();
          const answers = await send(members);
          const calls = (await stack.upstreamStats()).recent.filter((call) => call.procedure === "RegenerateSecret");
          const after = await heldSecrets();
          const answered = rotatedSecrets(answers);
          const context = `use ${use} of ${JSON.stringify(members.map((m) => [m.operation, m.document.text]))}`;
          for (const [id, secret] of after) {
            if (secret !== before.get(id)) expect(answered, `the new secret of ${id}, ${context}`).toContain(secret);
          }
          const live = new Set(after.values());
          for (const secret of answered) expect(live.has(secret), `${secret} is held, ${context}`).toBe(true);
          const ids = calls.map((call) => call.clientId);
          expect(new Set(ids).size, `one rotation per client, ${context}`).toBe(ids.length);
          if (answers.every((answer) => answer.data === undefined)) expect(ids, context).toEqual([]);
          rotations += ids.length;
        }
      }),
      { numRuns: 150, seed: PROPERTY_SEED },
    );
    // The property is not vacuous: the corpus rotated secrets.
    expect(rotations).toBeGreaterThan(20);
  });
});
