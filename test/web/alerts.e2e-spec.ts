import { AlertEvaluator } from '@bourse/alerts';
import type { Env } from '@bourse/platform';
import type { Browser, Page } from 'playwright-core';
import { alertsEnvironment, TickTape } from '../factories/alerts';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';
import { startWorker } from '../setup/worker';
import { collectConsoleErrors, ensureWebBuild, eventually, launchChromium } from './browser';

/**
 * The Alerts page in Chromium against the api and a worker whose evaluator the test feeds with
 * scripted ticks: a rule created from the page fires live; while the page is offline (its toggle
 * drops the socket) another crossing fires, and on return the page resumes from its cursor and
 * shows that event once, marked as replayed.
 */
describe('web: the Alerts page', () => {
  let drop: () => Promise<void>;
  let api: TestServer;
  let worker: TestServer;
  let browser: Browser;
  let page: Page;
  let user: SignedInUser;
  const tape = new TickTape();

  beforeAll(async () => {
    ensureWebBuild();
    let env: Env;
    ({ env, drop } = await alertsEnvironment('web_alerts'));
    [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
    user = await signedInUser(api);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
    await drop?.();
  });

  /** Two ticks through the worker's evaluator: below the level, then above it (a crossing up). */
  const crossUp = async (above: string) => {
    const evaluator = worker.app.get(AlertEvaluator);
    await evaluator.evaluate(tape.next('XAGUSD', '29.00'));
    await evaluator.evaluate(tape.next('XAGUSD', above));
  };
  const eventTexts = () => page.getByTestId('alert-events').locator('li').allTextContents();

  it('creates a rule, shows its event live, and replays the one missed while offline once', async () => {
    const errors = collectConsoleErrors(page);
    // The seqs of every `alert` frame the server sent, over all of the page's connections: the
    // list dedups by id, so this is what shows the server itself sent each event once.
    const sent: number[] = [];
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        const frame = /^42\/alerts,(\[.*\])$/.exec(String(payload));
        const [name, event] = frame ? (JSON.parse(frame[1]!) as [string, { seq: number }]) : [];
        if (name === 'alert') {
          sent.push(event!.seq);
        }
      }),
    );
    await page.goto(`${api.url}/app/sign-in`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-email').waitFor();
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    const connection = page.getByTestId('alerts-connection');
    expect(
      await eventually(
        () => connection.textContent(),
        (t) => t === 'live',
      ),
    ).toBe('live');

    // A refusal from the api is shown with the field it names.
    await page.getByLabel('Symbol').selectOption('XAGUSD');
    await page.getByLabel('Operator').selectOption('crossing_up');
    await page.getByLabel('level').fill('thirty');
    await page.getByRole('button', { name: 'Create alert' }).click();
    const refusal = await page.getByRole('alert').textContent();
    expect(refusal).toMatch(/ · value: /);

    await page.getByLabel('level').fill('30.00');
    await page.getByLabel('Frequency').selectOption('every_time');
    await page.getByLabel('message').fill('silver above 30');
    await page.getByRole('button', { name: 'Create alert' }).click();
    const rules = page.getByTestId('alert-rules').locator('tbody tr');
    await rules.first().waitFor();
    expect(await rules.allTextContents()).toEqual([
      'XAGUSDcrossing_up 30.00every_timeactive0Delete',
    ]);
    expect(await page.getByRole('alert').count()).toBe(0);
    await worker.app.get(AlertEvaluator).refresh();

    // Live: the first crossing shows while the page is connected.
    await crossUp('30.50');
    const live = await eventually(eventTexts, (t) => t.length === 1);
    expect(live).toEqual([
      expect.stringMatching(/^#1 XAGUSD crossing_up at 30\.50 \(.+\): silver above 30$/),
    ]);

    // Offline: the page drops its socket; a crossing meanwhile does not reach it.
    await page.getByRole('button', { name: 'Go offline' }).click();
    expect(
      await eventually(
        () => connection.textContent(),
        (t) => t === 'offline',
      ),
    ).toBe('offline');
    await crossUp('31.25');
    const stream = await api.request('GET', '/v1/alerts/events?after=1', {
      token: user.accessToken,
    });
    expect(stream.body).toMatchObject({ events: [{ seq: 2, price: '31.25' }] });
    expect(await eventTexts()).toEqual(live);

    // Back online: the missed event is replayed once, after the one already shown.
    await page.getByRole('button', { name: 'Go online' }).click();
    const replayed = await eventually(eventTexts, (t) => t.length >= 2);
    expect(replayed).toEqual([
      expect.stringMatching(/^#2 XAGUSD crossing_up at 31\.25 \(.+\) — replayed: silver above 30$/),
      live[0],
    ]);
    expect(await connection.textContent()).toBe('live');
    // Another offline/online cycle with nothing new replays nothing.
    await page.getByRole('button', { name: 'Go offline' }).click();
    await page.getByRole('button', { name: 'Go online' }).click();
    await eventually(
      () => connection.textContent(),
      (t) => t === 'live',
    );
    expect(await eventTexts()).toEqual(replayed);
    expect(sent).toEqual([1, 2]);
    expect(
      await eventually(
        () => rules.allTextContents(),
        (t) => t[0]?.includes('active2') ?? false,
      ),
    ).toEqual(['XAGUSDcrossing_up 30.00every_timeactive2Delete']);
    // Chromium logs the refused request, and nothing else went wrong.
    expect(errors).toEqual([
      {
        text: 'Failed to load resource: the server responded with a status of 400 (Bad Request)',
        url: `${api.url}/v1/alerts`,
      },
    ]);
  }, 120_000);
});
