import {
  API_HEADERS,
  DOCS_HEADERS,
  helmetHeaders,
  isDocsPath,
  isWebAppPath,
  webAppHeaders,
} from './security-headers';

describe('security headers', () => {
  it('records what helmet sets, with lower-case names', () => {
    const headers = helmetHeaders({ contentSecurityPolicy: false, strictTransportSecurity: false });
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers).not.toHaveProperty('content-security-policy');
    expect(headers).not.toHaveProperty('strict-transport-security');
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('refuses options helmet rejects, at boot', () => {
    expect(() =>
      helmetHeaders({ contentSecurityPolicy: { directives: { defaultSrc: ['self'] } } }),
    ).toThrow(/self/);
  });

  it('keeps JSON responses to the REST set and gives the docs page the full one', () => {
    expect(Object.keys(API_HEADERS).sort()).toEqual([
      'cache-control',
      'content-security-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
    ]);
    expect(Object.keys(DOCS_HEADERS).length).toBeGreaterThan(10);
  });

  it.each([
    ['/docs', true],
    ['/docs/', true],
    ['/docs/swagger-ui.css', true],
    ['/docs?x=1', true],
    ['/docsx', false],
    ['/v1/docs', false],
    ['/openapi.json', false],
  ])('%s is a docs path: %s', (url, expected) => {
    expect(isDocsPath(url)).toBe(expected);
  });

  it('lets the web app load its own scripts and open its own connections, nothing else', () => {
    const headers = webAppHeaders();
    const csp = headers['content-security-policy'];
    expect(csp).toContain(`script-src 'self'`);
    expect(csp).toContain(`connect-src 'self';`);
    expect(csp).toContain(`frame-ancestors 'none'`);
    expect(csp).not.toContain('unsafe');
    expect(headers).not.toHaveProperty('cache-control');
  });

  it('adds the connect-src origins it is given, once each, and nothing to the other directives', () => {
    const csp = webAppHeaders([
      'https://uploads.example.com',
      'http://127.0.0.1:3189',
      'https://uploads.example.com',
    ])['content-security-policy'];
    expect(csp).toContain(`connect-src 'self' https://uploads.example.com http://127.0.0.1:3189;`);
    expect(csp).toContain(`default-src 'self';`);
    expect(csp).toContain(`form-action 'self';`);
  });

  it.each([
    ['/app', true],
    ['/app/', true],
    ['/app/assets/index-abc.js', true],
    ['/app?x=1', true],
    ['/apps', false],
    ['/v1/app', false],
  ])('%s is a web app path: %s', (url, expected) => {
    expect(isWebAppPath(url)).toBe(expected);
  });
});
