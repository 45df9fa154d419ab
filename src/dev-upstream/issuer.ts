import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from "jose";
import { scopesFromClaims } from "../auth/scopes.js";

/**
 * The development token issuer: signs JWTs with keys it generates and publishes
 * their public halves as a JWKS. For development and tests only.
 */

export const DEV_ISSUER = "urn:oauth-clients-graph:dev-issuer";
export const DEV_AUDIENCE = "urn:xeonr:auth-api";
const ALGORITHM = "ES256";

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

export interface MintOptions {
  scopes: string[];
  subject?: string;
  /** Seconds from now; negative mints an already expired token. */
  expiresInSeconds?: number;
  /** Seconds from now before which the token is not valid. */
  notBeforeInSeconds?: number;
  /** Seconds from now of its `iat` (default 0: issued now); a positive value claims the future. */
  issuedAtInSeconds?: number;
  /** A made-up header parameter listed in `crit`, which verifiers must refuse. */
  criticalHeader?: string;
  audience?: string;
  issuer?: string;
  /** `scope` (space-separated, the default) or `scp` (an array). */
  scopeClaim?: "scope" | "scp";
}

export interface VerifiedToken {
  subject: string | undefined;
  scopes: ReadonlySet<string>;
}

export class DevIssuer {
  /** The published keys, imported once: verifying is on every call's path. */
  private keySet: ReturnType<typeof createLocalJWKSet>;

  private constructor(
    private keys: SigningKey[],
    private readonly keyFile: string | undefined,
  ) {
    this.keySet = createLocalJWKSet(this.jwks());
  }

  /**
   * With a key file, the keys are kept there (created on first use), so that
   * `npm run token` and a running development upstream agree on them.
   */
  static async create(options: { keyFile?: string } = {}): Promise<DevIssuer> {
    const stored = options.keyFile ? await readKeyFile(options.keyFile) : undefined;
    if (stored) return new DevIssuer(stored, options.keyFile);
    const issuer = new DevIssuer([await newSigningKey()], options.keyFile);
    await issuer.persist();
    return issuer;
  }

  jwks(): JSONWebKeySet {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** Signs with the newest key. */
  async mint(options: MintOptions): Promise<string> {
    const key = this.keys[this.keys.length - 1]!;
    const now = Math.floor(Date.now() / 1000);
    const claims = options.scopeClaim === "scp" ? { scp: options.scopes } : { scope: options.scopes.join(" ") };
    const critical = options.criticalHeader ? { crit: [options.criticalHeader], [options.criticalHeader]: true } : {};
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: "JWT", ...critical })
      .setIssuer(options.issuer ?? DEV_ISSUER)
      .setAudience(options.audience ?? DEV_AUDIENCE)
      .setSubject(options.subject ?? "dev-user")
      .setIssuedAt(now + (options.issuedAtInSeconds ?? 0))
      .setExpirationTime(now + (options.expiresInSeconds ?? 12 * 3600));
    if (options.notBeforeInSeconds !== undefined) jwt.setNotBefore(now + options.notBeforeInSeconds);
    return jwt.sign(key.privateKey, options.criticalHeader ? { crit: { [options.criticalHeader]: true } } : undefined);
  }

  /** Adds a new signing key; older keys stay published so tokens they signed still verify. */
  async rotate(): Promise<string> {
    const key = await newSigningKey();
    this.keys = [...this.keys, key];
    this.keySet = createLocalJWKSet(this.jwks());
    await this.persist();
    return key.kid;
  }

  /** Verifies a token this issuer signed; throws on any defect. */
  async verify(token: string): Promise<VerifiedToken> {
    const { payload } = await jwtVerify(token, this.keySet, {
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      algorithms: [ALGORITHM],
      clockTolerance: 5,
    });
    return { subject: payload.sub, scopes: scopesFromClaims(payload) };
  }

  private async persist(): Promise<void> {
    if (!this.keyFile) return;
    await mkdir(dirname(this.keyFile), { recursive: true });
    const body = JSON.stringify({ keys: this.keys.map((key) => key.privateJwk) }, null, 2);
    await writeFile(this.keyFile, body, { mode: 0o600 });
  }
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  return fromPrivateJwk(await exportJWK(privateKey));
}

async function fromPrivateJwk(jwk: JWK): Promise<SigningKey> {
  const { d: _private, ...publicPart } = jwk;
  const kid = await calculateJwkThumbprint(publicPart);
  const privateKey = (await importJWK({ ...jwk, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
  return {
    kid,
    privateKey,
    privateJwk: { ...jwk, kid },
    publicJwk: { ...publicPart, kid, alg: ALGORITHM, use: "sig" },
  };
}

async function readKeyFile(path: string): Promise<SigningKey[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const { keys } = JSON.parse(text) as { keys: JWK[] };
  return Promise.all(keys.map(fromPrivateJwk));
}
