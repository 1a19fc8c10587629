import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** What a test (or the local token endpoint) asks the provider to put in an access token. */
export interface TokenRequest {
  sub: string;
  audience: string;
  email?: string;
  email_verified?: boolean;
  /** Seconds until `exp`; negative for a token already expired. */
  expiresIn?: number;
  /** Any other claims (a roles claim, `amr`, `auth_time`). */
  claims?: Record<string, unknown>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const newKey = async (): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();

  return {
    kid,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
};

/**
 * An OpenID Connect provider as the api sees one (Auth0, Okta, Clerk, Firebase Auth alike): a
 * discovery document, a JWKS with the public keys, and RS256 access tokens carrying `kid`.
 * `rotate()` signs with a new key from then on and, like the real ones, keeps publishing the
 * previous key for tokens still in flight (or drops it). `POST /oauth/token` issues a token for
 * any subject asked (a local stand-in for the provider's sign-in; it listens on loopback only).
 */
export class OidcSimulator {
  /** How many times the JWKS was fetched (a rotation makes the api fetch it again). */
  jwksFetches = 0;
  private keys: SigningKey[] = [];
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.keys = [await newKey()];
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });

    return this.url;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;

    return `http://${address}:${port}`;
  }

  /** The `iss` of its tokens. */
  get issuer(): string {
    return this.url;
  }

  get jwksUrl(): string {
    return `${this.url}/.well-known/jwks.json`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();

    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A new signing key; the old one stays published unless `keepPrevious` is false. */
  async rotate({ keepPrevious = true } = {}): Promise<void> {
    const next = await newKey();
    this.keys = keepPrevious ? [next, ...this.keys.slice(0, 1)] : [next];
  }

  /**
   * Signs with the current key, or with `key: 'unpublished'` one the JWKS never lists; `issuer`
   * stands in for another provider's `iss`.
   */
  async issue(
    request: TokenRequest,
    {
      key = 'current',
      issuer = this.issuer,
    }: { key?: 'current' | 'unpublished'; issuer?: string } = {},
  ): Promise<string> {
    const signer = key === 'unpublished' ? await newKey() : this.keys[0]!;
    const now = Math.floor(Date.now() / 1000);

    return new SignJWT({
      ...request.claims,
      ...(request.email === undefined ? {} : { email: request.email }),
      ...(request.email_verified === undefined ? {} : { email_verified: request.email_verified }),
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: signer.kid })
      .setIssuer(issuer)
      .setSubject(request.sub)
      .setAudience(request.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + (request.expiresIn ?? 3600))
      .setJti(randomUUID())
      .sign(signer.privateKey);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return send(200, {
        issuer: this.issuer,
        jwks_uri: this.jwksUrl,
        token_endpoint: `${this.url}/oauth/token`,
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.method === 'GET' && path === '/.well-known/jwks.json') {
      this.jwksFetches += 1;

      return send(200, { keys: this.keys.map((key) => key.publicJwk) });
    }
    if (req.method === 'POST' && path === '/oauth/token') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) {
        chunks.push(chunk as Buffer);
      }
      let body: Partial<TokenRequest & { expires_in: number }>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof body;
      } catch {
        return send(400, { error: 'invalid_request', error_description: 'JSON body expected' });
      }
      if (typeof body.sub !== 'string' || typeof body.audience !== 'string') {
        return send(400, { error: 'invalid_request', error_description: 'sub and audience' });
      }
      const expiresIn = body.expires_in ?? 3600;
      const token = await this.issue({
        ...body,
        sub: body.sub,
        audience: body.audience,
        expiresIn,
      });

      return send(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
    }
    if (req.method === 'POST' && path === '/rotate') {
      await this.rotate();

      return send(200, { kid: this.keys[0]!.kid });
    }
    send(404, { error: 'not_found' });
  }
}
