import { useState, type FormEvent } from 'react';
import { useServices } from '../app-context';
import { describeProblem } from '../lib/problem';
import { Link } from '../lib/router';

/**
 * A forgotten password: ask for a link by e-mail, or (arriving from the link,
 * `/app/reset-password?token=…`) choose the new password. Resetting ends every session.
 */
export function ResetPasswordPage() {
  const { session } = useServices();
  const token = new URLSearchParams(window.location.search).get('token');
  const [value, setValue] = useState('');
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const { error: problem, response } = token
      ? await session.client.POST('/v1/auth/password/reset', {
          body: { token, newPassword: value },
        })
      : await session.client.POST('/v1/auth/password/forgot', { body: { email: value } });
    setBusy(false);
    if (response.ok) {
      setDone(
        token
          ? 'Your password is changed and every session has ended.'
          : 'If an account uses this address, a link to reset its password is on its way.',
      );
    } else {
      setError(describeProblem(problem, 'The server could not be reached; try again.'));
    }
  };

  return (
    <section className="card narrow">
      <h1>{token ? 'Choose a new password' : 'Reset your password'}</h1>
      {done ? (
        <>
          <p role="status" className="notice">
            {done}
          </p>
          {token && <Link to="sign-in">Sign in</Link>}
        </>
      ) : (
        <form onSubmit={(event) => void submit(event)}>
          <label>
            {token ? 'New password' : 'Email'}
            <input
              type={token ? 'password' : 'email'}
              name={token ? 'newPassword' : 'email'}
              autoComplete={token ? 'new-password' : 'username'}
              minLength={token ? 12 : undefined}
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </label>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {token ? 'Change password' : 'Send the link'}
          </button>
        </form>
      )}
    </section>
  );
}
