import type { ClientJson } from "../gen/xeonr/auth/api/v1/clients_pb.js";

/** The clients the development upstream starts with. The first is the reference pages' example. */

/** A client as the upstream writes it in JSON; every field is given, as the upstream answers. */
export type SeedClient = Required<ClientJson>;

export const EXAMPLE_CLIENT_ID = "550e8400-e29b-41d4-a716-446655440000";

const example: SeedClient = {
  clientId: EXAMPLE_CLIENT_ID,
  clientSecret: "sk_live_a1b2c3d4e5f6g7h8i9j0",
  name: "My OAuth App",
  redirectUri: "https://myapp.example.com/oauth/callback",
  supportsRefreshToken: true,
  supportsImplicitGrant: true,
  supportsDeviceCodeGrant: true,
  supportsCodeGrant: true,
  websiteUrl: "https://myapp.example.com",
  createdAt: "2023-01-15T01:30:15.01Z",
  updatedAt: "2023-01-15T01:30:15.01Z",
  description: "A sample OAuth application for demonstration purposes",
  isVerified: true,
  applicationId: "app_prod_myapp",
  usesManagedBuckets: true,
  applicationBindings: [{ applicationId: "app_prod_myapp", config: { jsonConfig: { property1: {}, property2: {} } } }],
  allowedDelegators: ["550e8400-e29b-41d4-a716-446655440001"],
  logoUrl: "https://cdn.example.com/logos/myapp.png",
  backchannelLogoutUri: "https://myapp.example.com/backchannel-logout",
  backchannelLogoutSessionRequired: true,
  frontchannelLogoutUri: "https://myapp.example.com/frontchannel-logout",
  frontchannelLogoutSessionRequired: true,
  postLogoutRedirectUris: ["https://myapp.example.com/logged-out"],
};

const handWritten: SeedClient[] = [
  example,
  {
    clientId: "550e8400-e29b-41d4-a716-446655440001",
    clientSecret: "sk_live_7c1e0b9a4d2f4e6a8b3c5d7e9f1a2b3c",
    name: "Xeonr CLI",
    redirectUri: "",
    supportsRefreshToken: true,
    supportsImplicitGrant: false,
    supportsDeviceCodeGrant: true,
    supportsCodeGrant: false,
    websiteUrl: "https://docs.xeonr.io/cli",
    createdAt: "2023-03-02T09:12:44Z",
    updatedAt: "2024-06-18T16:40:05.5Z",
    description: "Command-line tool; signs in with the device code grant",
    isVerified: true,
    applicationId: "app_prod_cli",
    usesManagedBuckets: false,
    applicationBindings: [],
    allowedDelegators: [],
    logoUrl: "",
    backchannelLogoutUri: "",
    backchannelLogoutSessionRequired: false,
    frontchannelLogoutUri: "",
    frontchannelLogoutSessionRequired: false,
    postLogoutRedirectUris: [],
  },
  {
    clientId: "0b6c1f52-8a3e-4d7b-9c21-5e4f3a2b1c0d",
    clientSecret: "sk_live_e3b0c44298fc1c149afbf4c8996fb924",
    name: "Acme Analytics Dashboard",
    redirectUri: "https://dashboard.acme.test/auth/callback",
    supportsRefreshToken: true,
    supportsImplicitGrant: false,
    supportsDeviceCodeGrant: false,
    supportsCodeGrant: true,
    websiteUrl: "https://acme.test",
    createdAt: "2024-02-29T23:59:59.999Z",
    updatedAt: "2025-01-07T08:00:00Z",
    description: "Third-party analytics dashboard reading workspace usage",
    isVerified: false,
    applicationId: "app_partner_acme",
    usesManagedBuckets: true,
    applicationBindings: [
      {
        applicationId: "app_partner_acme",
        config: {
          jsonConfig: { plan: "enterprise", seats: 250, regions: ["eu-west-1", "us-east-2"], sso: { enforced: true } },
        },
      },
      {
        applicationId: "app_prod_storage",
        config: { jsonConfig: { bucketPrefix: "acme-", retentionDays: 30, readOnly: null } },
      },
    ],
    allowedDelegators: ["550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440001"],
    logoUrl: "https://dashboard.acme.test/static/logo.svg",
    backchannelLogoutUri: "https://dashboard.acme.test/auth/backchannel",
    backchannelLogoutSessionRequired: true,
    frontchannelLogoutUri: "",
    frontchannelLogoutSessionRequired: false,
    postLogoutRedirectUris: ["https://dashboard.acme.test/", "https://acme.test/signed-out"],
  },
  {
    clientId: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
    clientSecret: "sk_live_5f4dcc3b5aa765d61d8327deb882cf99",
    name: "Mobile app (iOS)",
    redirectUri: "io.xeonr.mobile:/oauth2redirect",
    supportsRefreshToken: true,
    supportsImplicitGrant: false,
    supportsDeviceCodeGrant: false,
    supportsCodeGrant: true,
    websiteUrl: "https://xeonr.io/mobile",
    createdAt: "2022-11-30T12:00:00Z",
    updatedAt: "2022-11-30T12:00:00Z",
    description: "",
    isVerified: true,
    applicationId: "app_prod_mobile",
    usesManagedBuckets: false,
    applicationBindings: [{ applicationId: "app_prod_mobile", config: { jsonConfig: {} } }],
    allowedDelegators: [],
    logoUrl: "https://cdn.example.com/logos/mobile.png",
    backchannelLogoutUri: "",
    backchannelLogoutSessionRequired: false,
    frontchannelLogoutUri: "",
    frontchannelLogoutSessionRequired: false,
    postLogoutRedirectUris: ["io.xeonr.mobile:/logged-out"],
  },
];

/** How many fixture clients the development upstream holds. */
const FIXTURE_COUNT = 12;

/** The id of fixture client `n` (1 to 12). */
export const fixtureClientId = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;

/** The i-th of the fixture clients, cycling through them (for fan-outs of any size). */
export const cyclingFixtureClientId = (i: number) => fixtureClientId((i % FIXTURE_COUNT) + 1);

/** Enough further clients for fan-out and load tests. */
const fixtures: SeedClient[] = Array.from({ length: FIXTURE_COUNT }, (_, i) => {
  const n = String(i + 1).padStart(2, "0");
  return {
    ...example,
    clientId: fixtureClientId(i + 1),
    clientSecret: `sk_live_fixture${n}${"0".repeat(18)}`,
    name: `Fixture client ${n}`,
    redirectUri: `https://fixture-${n}.example.com/callback`,
    websiteUrl: `https://fixture-${n}.example.com`,
    description: `Fixture client ${n} for fan-out and load tests`,
    applicationId: `app_fixture_${n}`,
    applicationBindings: [{ applicationId: `app_fixture_${n}`, config: { jsonConfig: { index: i + 1 } } }],
  };
});

export const SEED_CLIENTS: readonly SeedClient[] = [...handWritten, ...fixtures];
