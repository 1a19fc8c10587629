import { createBourseClient, type BourseClient, type components } from '@bourse/client';

export type User = components['schemas']['UserDto'];
type SessionDto = components['schemas']['SessionDto'];

interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: User;
}

/** Why the user is signed out: they asked, or the server no longer accepts the session. */
export type SignOutReason = 'signed_out' | 'session_ended';

const STORAGE_KEY = 'bourse.session';
const AUTH_PATH = /\/v1\/auth\//;

/**
 * The signed-in session and the one typed client every page uses. A 401 on any call triggers one
 * refresh (shared by concurrent calls: a refresh token is single use, and spending it twice
 * revokes the session) and a single retry; when the refresh is refused too (revoked, expired,
 * user disabled) the session ends and `onChange` tells the app to show sign-in.
 */
export class Session {
  readonly client: BourseClient;
  private tokens: Tokens | undefined;
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<(reason?: SignOutReason) => void>();
  // Clones of requests in flight, so one refused with 401 can be replayed after a refresh.
  private readonly replays = new WeakMap<Request, Request>();

  constructor(
    baseUrl: string,
    private readonly storage: Storage,
    private readonly fetchImpl: (request: Request) => Promise<Response> = (request) =>
      globalThis.fetch(request),
  ) {
    this.tokens = this.load();
    this.client = createBourseClient({
      baseUrl,
      fetch: (request) => this.fetchImpl(request),
      authorization: () => this.tokens?.accessToken,
    });
    this.client.use({
      onRequest: ({ request }) => {
        if (AUTH_PATH.test(request.url)) {
          // Sign-in, refresh and sign-out take no access token, and the api refuses a bad one
          // even where none is needed: an expired token sent along would fail the refresh.
          request.headers.delete('authorization');
        } else {
          this.replays.set(request, request.clone());
        }

        return request;
      },
      onResponse: async ({ request, response }) => {
        const replay = this.replays.get(request);
        if (response.status !== 401 || !replay || !this.tokens) {
          return response;
        }
        if (!(await this.refresh())) {
          return response;
        }
        replay.headers.set('authorization', `Bearer ${this.tokens.accessToken}`);

        return this.fetchImpl(replay);
      },
    });
  }

  get user(): User | undefined {
    return this.tokens?.user;
  }

  get accessToken(): string | undefined {
    return this.tokens?.accessToken;
  }

  /** Called with no reason on sign-in and refresh, with one when the session ends. */
  subscribe(listener: (reason?: SignOutReason) => void): () => void {
    this.listeners.add(listener);

    return () => this.listeners.delete(listener);
  }

  start(session: SessionDto): void {
    this.set({
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      user: session.user,
    });
  }

  async signOut(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    this.end('signed_out');
    if (refreshToken) {
      // Best effort: the tokens are already forgotten here whatever the server answers.
      await this.client.POST('/v1/auth/logout', { body: { refreshToken, everywhere: false } });
    }
  }

  /** Trades the refresh token for a new pair; false (and the session ended) when refused. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });

    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) {
      return false;
    }
    const { data, response } = await this.client.POST('/v1/auth/refresh', {
      body: { refreshToken },
    });
    if (data) {
      this.start(data);

      return true;
    }
    // A 5xx or 429 is not a verdict on the session: keep it and let the caller show the error.
    if (response.status === 401 || response.status === 403) {
      this.end('session_ended');
    }

    return false;
  }

  private set(tokens: Tokens): void {
    this.tokens = tokens;
    this.storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    this.listeners.forEach((listener) => listener());
  }

  private end(reason: SignOutReason): void {
    this.tokens = undefined;
    this.storage.removeItem(STORAGE_KEY);
    this.listeners.forEach((listener) => listener(reason));
  }

  private load(): Tokens | undefined {
    const stored = this.storage.getItem(STORAGE_KEY);
    try {
      return stored ? (JSON.parse(stored) as Tokens) : undefined;
    } catch {
      return undefined;
    }
  }
}
