import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `npm run test:mutants`: puts deliberate faults into a scratch copy of the project, one at a
 * time, runs the tests that should catch each, and fails if any fault survives (its tests
 * pass). Slow (a few minutes), so not part of `npm test`: run it after changing a test or a
 * guard, before trusting the suite with a refactor. `-- NAME…` runs only the named faults.
 */
/** A fault's tests that run longer than this (seconds) have hung on it. */
const MUTANT_TIMEOUT_S = 180;

interface Fault {
  name: string;
  file: string;
  find: string;
  replace: string;
  tests: string[];
}

const FAULTS: Fault[] = [
  {
    name: "admission reads the raw variables, not execution's coerced ones",
    file: "src/graphql/analysis/coerced-operation.ts",
    find: "const variables = coercion.coerced;",
    replace: "const variables = (args.variableValues ?? {}) as Record<string, unknown>;",
    tests: ["test/hostile-callers-round-three.test.ts", "test/rotation-invariant.test.ts"],
  },
  {
    name: "graphql-jit compiles documents with @skip or @include",
    file: "src/graphql/compiled-execution.ts",
    find: "    !shape.conditional &&\n",
    replace: "",
    tests: ["test/compiled-execution.test.ts"],
  },
  {
    name: "a rotation that does not select its new secret is let through",
    file: "src/schema/rotations.ts",
    find: "if (!selectsNewSecret(operation, fieldNodes)) return secretNotSelected(field);",
    replace: "",
    tests: ["test/rotation-delivery.test.ts"],
  },
  {
    name: "an answer carrying new secrets is withheld by the answer-size bound",
    file: "src/graphql/limits/admission.ts",
    find: "return answerSize(ledger, (charge as OperationCharge).rotations.length > 0);",
    replace: "return answerSize(ledger, false);",
    tests: ["test/rotation-delivery.test.ts"],
  },
  {
    name: "a read scope is enough for the secret",
    file: "src/permissions/table.ts",
    find: '"OAuthClient.clientSecret": [SCOPE_MANAGE]',
    replace: '"OAuthClient.clientSecret": [SCOPE_READ]',
    tests: ["test/auth.test.ts"],
  },
  {
    name: "the audience is not checked",
    file: "src/auth/verifier.ts",
    find: "audience: config.audience,",
    replace: "",
    tests: ["test/auth.test.ts"],
  },
  {
    name: "the issuer is not checked",
    file: "src/auth/verifier.ts",
    find: "issuer: config.issuer,",
    replace: "",
    tests: ["test/auth.test.ts"],
  },
  {
    name: "expired tokens are accepted",
    file: "src/auth/verifier.ts",
    find: "clockTolerance: config.clockToleranceSeconds,",
    replace: "clockTolerance: 100_000_000,",
    tests: ["test/auth.test.ts"],
  },
  {
    name: "no batching and no dedupe",
    file: "src/loaders/oauth-clients.ts",
    find: "{ cacheKeyFn:",
    replace: "{ batch: false, cache: false, cacheKeyFn:",
    tests: ["test/batching.test.ts"],
  },
  {
    name: "RegenerateSecret is retried",
    file: "src/upstream/clients-service.ts",
    find: "return await call(procedure, { ...options, deadline: undefined }, rotate);",
    replace: "return await withRetries(options, () => call(procedure, { ...options, deadline: undefined }, rotate));",
    tests: ["test/faults.test.ts", "test/regenerate-secret.test.ts", "test/upstream-errors.test.ts"],
  },
  {
    name: "graphql-jit answers request errors in its own words",
    file: "src/graphql/compiled-execution.ts",
    find: "if (isRequestError(result)) return executeFn(executionArgs);",
    replace: "",
    tests: ["test/error-catalog.test.ts", "test/hostile-callers.test.ts"],
  },
  {
    name: "graphql-jit's errors answered as jit makes them (a scalar's refusal loses a rotation's answer)",
    file: "src/graphql/compiled-execution.ts",
    find: "return { errors: asExecutorErrors(result.errors, args.document.loc?.source), data: result.data };",
    replace: "return result;",
    tests: ["test/rotation-delivery.test.ts", "test/permission-verdict.test.ts"],
  },
  {
    name: "a permission verdict allows an operation one of whose fields the caller may not resolve",
    file: "src/permissions/verdict.ts",
    find: "if (!isAllowed(auth, coordinate)) {",
    replace: "if (!isAllowed(auth, coordinate) && coordinate.startsWith('Query.')) {",
    tests: ["test/permission-verdict.test.ts"],
  },
  {
    name: "the fast path skips Yoga's onResponse hooks (no-store, the context's release)",
    file: "src/http/fast-path.ts",
    find: "for (const hook of responseHooks) {",
    replace: "for (const hook of responseHooks.slice(responseHooks.length)) {",
    tests: ["test/fast-path.test.ts"],
  },
  {
    name: "the fast path hands Yoga the raw text where it asks for the parsed body",
    file: "src/http/fast-path.ts",
    find: "json: () => Promise.resolve(body),",
    replace:
      "json: () => Promise.resolve(typeof body === 'object' && body && !Array.isArray(body) ? { ...body, variables: undefined } : body),",
    tests: ["test/fast-path.test.ts"],
  },
  {
    name: "the upstream is told the facade's own wait for a rotation",
    file: "src/upstream/clients-service.ts",
    find: "return Math.min(1_000, Math.max(100, Math.round(waitMs / 5)));",
    replace: "return 0;",
    tests: ["test/rotation-outcome.test.ts"],
  },
  {
    name: "a rotation that may have happened is reported as a plain upstream failure",
    file: "src/upstream/upstream-error.ts",
    find: 'if (error.origin === "link") return true;',
    replace: "return false;",
    tests: ["test/rotation-outcome.test.ts"],
  },
  {
    name: "fragments are walked again at every spread",
    file: "src/graphql/analysis/document-shape.ts",
    find: "    const known = this.measured.get(name);\n    if (known) return known;",
    replace: "    const known = this.measured.get(name);\n    if (known === MEASURING) return NOTHING;",
    tests: ["test/hostile-documents.test.ts"],
  },
  {
    name: "each operation of a batch gets a budget and a DataLoader of its own",
    file: "src/context/context.ts",
    find: "let requestParts = parts.get(request);",
    replace: "let requestParts: Promise<RequestParts> | undefined;",
    tests: ["test/request-budget.test.ts", "test/regenerate-secret.test.ts", "test/rotation-delivery.test.ts"],
  },
  {
    name: "Yoga's parse cache keeps 1,024 documents of any size",
    file: "src/graphql/yoga.ts",
    find: "parserAndValidationCache: boundedParserCache(),",
    replace: "parserAndValidationCache: true,",
    tests: ["test/hostile-documents.test.ts"],
  },
  {
    name: "Node checks slow headers and bodies every 30 s",
    file: "src/http/server.ts",
    find: "connectionsCheckingInterval: CONNECTIONS_CHECK_MS,",
    replace: "",
    tests: ["test/connections.test.ts"],
  },
  {
    name: "an event stream keeps Yoga's cache header",
    file: "src/graphql/yoga.ts",
    find: 'response.headers.set("cache-control", "no-store");',
    replace: 'if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");',
    tests: ["test/hostile-callers.test.ts"],
  },
  {
    name: "the secret is always asked of the upstream",
    file: "src/schema/oauth-client.ts",
    find: 'return isAllowed(context.auth, "OAuthClient.clientSecret") && selectsField(info, "clientSecret");',
    replace: "return true;",
    tests: ["test/oauth-client-query.test.ts", "test/batching.test.ts", "test/auth.test.ts"],
  },
  {
    name: "an unknown id is an error, not null",
    file: "src/loaders/oauth-clients.ts",
    find: 'if (error instanceof UpstreamError && error.code === "not_found") return null;',
    replace: "",
    tests: ["test/oauth-client-query.test.ts"],
  },
  {
    name: "upstream calls ignore the request's deadline",
    file: "src/upstream/clients-service.ts",
    find: "timeoutMs: Math.max(1, Math.min(options.timeoutMs ?? config.callTimeoutMs, remainingMs)),",
    replace: "timeoutMs: config.callTimeoutMs,",
    tests: ["test/faults.test.ts"],
  },
  {
    name: "the bearer token is not forwarded",
    file: "src/upstream/clients-service.ts",
    find: "...(options.authorization ? { authorization: options.authorization } : {}),",
    replace: "",
    tests: ["test/oauth-client-query.test.ts"],
  },
  {
    name: "unexpected errors are shown to callers",
    file: "src/graphql/error-masking.ts",
    find: "return maskUnexpected(error, message, false);",
    replace: "return error as GraphQLError;",
    tests: ["test/faults.test.ts", "test/upstream-errors.test.ts"],
  },
  {
    name: "a schema field renamed without regenerating schema.graphql",
    file: "src/schema/oauth-client.ts",
    find: 'name: t.exposeString("name"),',
    replace: 'displayName: t.exposeString("name"),',
    tests: ["test/generated-artifacts.test.ts"],
  },
  {
    name: "the alias limit's default raised to 10 000",
    file: "src/config/variables.ts",
    find: "LIMIT_MAX_ALIASES: positiveInt.max(10_000).default(60),",
    replace: "LIMIT_MAX_ALIASES: positiveInt.max(10_000).default(10_000),",
    tests: ["test/configuration-defaults.test.ts"],
  },
  {
    name: "access logs carry request headers",
    file: "src/http/request-handler.ts",
    find: 'req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split("?")[0] }),',
    replace:
      "req: (req: { method: string; url: string; headers: unknown }) => ({ method: req.method, headers: req.headers }),",
    tests: ["test/operability.test.ts"],
  },
  {
    name: "CORS echoes any origin",
    file: "src/http/guards.ts",
    find: "callback(null, allowed(origin) ? origin : false)",
    replace: "callback(null, origin ?? false)",
    tests: ["test/cross-origin.test.ts"],
  },
  {
    name: "introspection is not bounded",
    file: "src/graphql/limits/introspection.ts",
    find: "onValidate: ({ addValidationRule }) => addValidationRule(introspectionBound as ValidationRule),",
    replace: "onValidate: () => {},",
    tests: ["test/hostile-callers.test.ts"],
  },
  {
    name: "GraphiQL's token is embedded for any Host",
    file: "src/facade.ts",
    find: 'graphiqlToken && isLoopbackHost(request.headers.get("host")) ? graphiqlToken : undefined',
    replace: "graphiqlToken",
    tests: ["test/cross-origin.test.ts"],
  },
  {
    name: "routers are told fewer scopes than the table grants",
    file: "src/schema/router-directives.ts",
    find: "options.requiresScopes = requirement.map((scope) => [scope]);",
    replace: "options.requiresScopes = requirement.slice(0, 1).map((scope) => [scope]);",
    tests: ["test/router-directives.test.ts"],
  },
  {
    name: "the cost limit ignores list sizes",
    file: "src/schema/cost.ts",
    find: 'directiveNumber(field.astNode, "listSize", "assumedSize") ?? 1',
    replace: "1",
    tests: ["test/router-directives.test.ts", "test/hive-gateway.test.ts"],
  },
  {
    name: "upstream calls have no timeout",
    file: "src/upstream/unary-transport.ts",
    find: 'setTimeout(() => fail(new ConnectError("the upstream call timed out", Code.DeadlineExceeded)), timeoutMs)',
    replace: "undefined",
    tests: ["test/faults.test.ts"],
  },
  {
    name: "an upstream answer of any size is read",
    file: "src/upstream/clients-service.ts",
    find: "readMaxBytes: config.maxResponseBytes,\n        interceptors,\n        dispatcher: pool,",
    replace: "readMaxBytes: Infinity,\n        interceptors,\n        dispatcher: pool,",
    tests: ["test/faults.test.ts"],
  },
  {
    name: "schema:check lets a breaking change through",
    file: "scripts/schema-changes.ts",
    find: ".filter((change) => !federationMachinery(change.path))",
    replace: '.filter((change) => change.criticality.level !== "BREAKING")',
    tests: ["test/schema-check.test.ts"],
  },
  {
    name: "a cluster's primary loads the GraphQL stack",
    file: "src/entry/run-service.ts",
    find: 'import cluster from "node:cluster";',
    replace: 'import cluster from "node:cluster";\nimport "../facade.js";',
    tests: ["test/production-entry.test.ts"],
  },
];

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);
const faults = only.length > 0 ? FAULTS.filter((fault) => only.includes(fault.name)) : FAULTS;

const scratch = mkdtempSync(join(tmpdir(), "ocg-mutants-"));
cpSync(root, scratch, {
  recursive: true,
  filter: (source) =>
    !/\/(node_modules|dist|\.git|test-results|bench\/results)(\/|$)/.test(source.slice(root.length - 1)),
});
symlinkSync(join(root, "node_modules"), join(scratch, "node_modules"));

const survivors: string[] = [];
try {
  for (const fault of faults) {
    const path = join(scratch, fault.file);
    const original = readFileSync(path, "utf8");
    if (!original.includes(fault.find))
      throw new Error(`"${fault.name}": its code is no longer in ${fault.file}; update the fault`);
    writeFileSync(path, original.replace(fault.find, fault.replace));
    let caught = false;
    try {
      // A fault that makes a test hang (an exponential walk blocks the process) is caught by
      // the timeout; coreutils' timeout kills the whole process group, vitest's workers included.
      execFileSync(
        "timeout",
        ["-s", "KILL", String(MUTANT_TIMEOUT_S), "npx", "vitest", "run", "--reporter=dot", ...fault.tests],
        { cwd: scratch, stdio: "ignore" },
      );
    } catch {
      caught = true;
    } finally {
      writeFileSync(path, original);
    }
    process.stdout.write(`${caught ? "caught  " : "SURVIVED"}  ${fault.name}\n`);
    if (!caught) survivors.push(fault.name);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`${faults.length - survivors.length} of ${faults.length} faults caught\n`);
process.exit(survivors.length === 0 ? 0 : 1);
