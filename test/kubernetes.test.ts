import { readdirSync, readFileSync } from "node:fs";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service } from "kubernetes-models/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadConfig } from "../src/config/config.js";
import { envSchema, UPSTREAM_VARIABLES } from "../src/config/variables.js";
import { type Stack, startStack } from "./support/stack.js";

/**
 * The manifests under deploy/kubernetes/, validated against the Kubernetes API's schemas
 * (kubernetes-models) and held to the service's own configuration, so that they cannot drift
 * from the code: probe paths that answer, the port, drain timings, variable names.
 */
const folder = new URL("../deploy/kubernetes/", import.meta.url);
const files = readdirSync(folder).filter((name) => name.endsWith(".yaml") && name !== "kustomization.yaml");
const objects = files.flatMap((name) =>
  parseAllDocuments(readFileSync(new URL(name, folder), "utf8")).map((document) => document.toJS()),
);
const MODELS = { ConfigMap, Service, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy };
const one = <K extends keyof typeof MODELS>(kind: K) =>
  new MODELS[kind](objects.find((object) => object.kind === kind)) as InstanceType<(typeof MODELS)[K]>;

describe("the Kubernetes manifests", () => {
  it("are valid objects of the Kubernetes API, one of each kind, all listed by the kustomization", () => {
    expect(objects.map((object) => object.kind).sort()).toEqual(Object.keys(MODELS).sort());
    for (const kind of Object.keys(MODELS) as (keyof typeof MODELS)[]) expect(() => one(kind).validate()).not.toThrow();
    const kustomization = parseAllDocuments(readFileSync(new URL("kustomization.yaml", folder), "utf8"))[0]!.toJS();
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
  });

  const deployment = one("Deployment");
  const container = deployment.spec!.template.spec!.containers[0]!;
  const env = Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value]));

  it("set only variables the service reads, and put its four required settings in the ConfigMap", () => {
    const known = Object.keys(envSchema.shape);
    expect(Object.keys(env).filter((name) => !known.includes(name))).toEqual([]);
    expect(Object.keys(one("ConfigMap").data ?? {}).sort()).toEqual(Object.values(UPSTREAM_VARIABLES).sort());
    expect(container.envFrom?.[0]?.configMapRef?.name).toBe(one("ConfigMap").metadata!.name);
  });

  it("let the HorizontalPodAutoscaler alone own the replica count, from at least two", () => {
    expect(deployment.spec!.replicas).toBeUndefined();
    const hpa = one("HorizontalPodAutoscaler");
    expect(hpa.spec!.scaleTargetRef).toMatchObject({ kind: "Deployment", name: deployment.metadata!.name });
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it("admit traffic to the pods from the router and Prometheus only, on the service's port", () => {
    const policy = one("NetworkPolicy");
    expect(policy.spec!.podSelector!.matchLabels).toEqual(deployment.spec!.selector.matchLabels);
    expect(policy.spec!.policyTypes).toEqual(["Ingress"]);
    const peers = policy.spec!.ingress!.map((rule) => rule.from!.map((peer) => peer.podSelector!.matchLabels));
    expect(peers).toEqual([[{ "app.kubernetes.io/name": "router" }], [{ "app.kubernetes.io/name": "prometheus" }]]);
    for (const rule of policy.spec!.ingress!) expect(rule.ports).toEqual([{ port: container.ports![0]!.name }]);
  });

  it("leave the drain time to finish before the kubelet's SIGKILL", () => {
    const config = loadConfig({ ...one("ConfigMap").data, ...env }, "production");
    const drainMs = config.shutdownDelayMs + config.shutdownTimeoutMs;
    expect(deployment.spec!.template.spec!.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(drainMs);
  });

  it("expose the port the service listens on, as the image does", () => {
    const containerfile = readFileSync(new URL("../Containerfile", import.meta.url), "utf8");
    const imagePort = /^EXPOSE (\d+)$/m.exec(containerfile)![1];
    expect(String(container.ports![0]!.containerPort)).toBe(imagePort);
    expect(env.PORT).toBe(imagePort);
    expect(env.HOST).toBe("0.0.0.0");
    expect(one("Service").spec!.ports![0]!.targetPort).toBe(container.ports![0]!.name);
  });

  it("run the image as its non-root user with a read-only root filesystem, at the package's version", () => {
    const version = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
    expect(container.image).toBe(`oauth-clients-graph:${version}`);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    // distroless's nonroot user.
    expect(deployment.spec!.template.spec!.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
  });

  describe("probe a running service at paths it answers", () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({}, { mode: "production" });
    });
    afterAll(() => stack.close());

    it.each([
      ["readiness", () => container.readinessProbe!.httpGet!.path!],
      ["liveness", () => container.livenessProbe!.httpGet!.path!],
    ])("the %s probe", async (_name, path) => {
      expect((await fetch(`${stack.facade.url}${path()}`)).status).toBe(200);
    });
  });
});
