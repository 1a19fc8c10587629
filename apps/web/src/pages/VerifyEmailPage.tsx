import { useEffect, useState } from 'react';
import { useServices } from '../app-context';
import { describeProblem } from '../lib/problem';
import { Link } from '../lib/router';

/**
 * Where the verification e-mail's link lands (`/app/verify-email?token=…`): spends the token.
 * Without one, a signed-in user whose address is not verified can ask for a new link.
 */
export function VerifyEmailPage() {
  const { session } = useServices();
  const token = new URLSearchParams(window.location.search).get('token');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();

  useEffect(() => {
    if (!token) {
      return;
    }
    void session.client
      .POST('/v1/auth/verify-email', { body: { token } })
      .then(({ data, error }) =>
        setOutcome(
          data
            ? { ok: true, text: `${data.email} is verified.` }
            : { ok: false, text: describeProblem(error, 'The server could not be reached.') },
        ),
      );
  }, [session, token]);

  const resend = async () => {
    const { error, response } = await session.client.POST('/v1/me/email-verification');
    setOutcome(
      response.status === 202
        ? { ok: true, text: 'A new link is on its way; the earlier ones no longer work.' }
        : { ok: false, text: describeProblem(error, 'The server could not be reached.') },
    );
  };

  return (
    <section className="card narrow">
      <h1>Verify your e-mail</h1>
      {token && !outcome && <p>Checking the link…</p>}
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'notice' : 'error'}>
          {outcome.text}
        </p>
      )}
      {session.user && !session.user.emailVerifiedAt && !outcome?.ok && (
        <button type="button" onClick={() => void resend()}>
          Send a new link
        </button>
      )}
      <p>
        <Link to="markets">Go to the markets</Link>
      </p>
    </section>
  );
}
