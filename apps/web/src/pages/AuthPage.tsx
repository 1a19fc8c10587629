import { useState, type FormEvent } from 'react';
import { useServices } from '../app-context';
import { describeProblem } from '../lib/problem';
import { Link, navigate } from '../lib/router';
import type { SignOutReason } from '../lib/session';

/**
 * Sign in or register: both answer a session, so one form serves both. With two-factor on, a
 * right password asks for the code next (the sign-in's challenge and a TOTP or recovery code).
 */
export function AuthPage({
  mode,
  reason,
}: {
  mode: 'sign-in' | 'register';
  reason?: SignOutReason;
}) {
  const { session } = useServices();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [challengeToken, setChallengeToken] = useState<string>();
  const [code, setCode] = useState('');
  const registering = mode === 'register';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = { email, password };
    const secondFactor = /^\d{6}$/.test(code) ? { code } : { recoveryCode: code };
    const { data, error: problem } = challengeToken
      ? await session.client.POST('/v1/auth/login/second-factor', {
          body: { challengeToken, ...secondFactor },
        })
      : registering
        ? await session.client.POST('/v1/auth/register', { body })
        : await session.client.POST('/v1/auth/login', { body });
    setBusy(false);
    if (data) {
      session.start(data);
      navigate('markets');
    } else if (problem?.code === 'auth.second_factor_required') {
      // An extension of this problem: the token that carries the sign-in to its second step.
      setChallengeToken(String((problem as { challengeToken?: unknown }).challengeToken));
    } else {
      setError(describeProblem(problem, 'The server could not be reached; try again.'));
    }
  };

  return (
    <section className="card narrow">
      <h1>{registering ? 'Create an account' : 'Sign in'}</h1>
      {reason === 'session_ended' && !error && (
        <p className="notice">Your session has ended. Please sign in again.</p>
      )}
      <form onSubmit={(event) => void submit(event)}>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete={registering ? 'new-password' : 'current-password'}
            minLength={registering ? 12 : undefined}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {challengeToken && (
          <label>
            Code from the authenticator app (or a recovery code)
            <input
              name="code"
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </label>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {registering ? 'Register' : 'Sign in'}
        </button>
      </form>
      <p>
        {registering ? (
          <>
            Have an account? <Link to="sign-in">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link to="register">Create an account</Link> ·{' '}
            <Link to="reset-password">Forgot your password?</Link>
          </>
        )}
      </p>
    </section>
  );
}
