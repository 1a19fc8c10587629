import { useState, type FormEvent } from 'react';
import { useServices } from '../app-context';
import { describeProblem } from '../lib/problem';

type Step =
  | { kind: 'start' }
  | { kind: 'scan'; secret: string; otpauthUri: string }
  | { kind: 'codes'; recoveryCodes: string[] }
  | { kind: 'off' };

/**
 * Two-factor enrolment: a new secret (the otpauth URI opens the authenticator app on a phone;
 * the secret can be typed in), confirmed with a first code, then the recovery codes, shown once.
 * With two-factor on, a code turns it off.
 */
export function TwoFactorPage() {
  const { session } = useServices();
  const [step, setStep] = useState<Step>({ kind: 'start' });
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const enabled = session.user?.twoFactorEnabled && step.kind === 'start';
  const fail = (problem: Parameters<typeof describeProblem>[0]) =>
    setError(describeProblem(problem, 'The server could not be reached; try again.'));

  const start = async () => {
    setError(undefined);
    const { data, error: problem } = await session.client.POST('/v1/me/two-factor');
    if (data) {
      setStep({ kind: 'scan', ...data });
    } else {
      fail(problem);
    }
  };

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const { data, error: problem } = enabled
      ? await session.client.POST('/v1/me/two-factor/disable', { body: { code } })
      : await session.client.POST('/v1/me/two-factor/confirm', { body: { code } });
    setCode('');
    if (enabled && !problem) {
      setStep({ kind: 'off' });
    } else if (data && 'recoveryCodes' in data) {
      setStep({ kind: 'codes', recoveryCodes: data.recoveryCodes });
    } else {
      fail(problem);
    }
  };

  const codeForm = (label: string) => (
    <form onSubmit={(event) => void confirm(event)}>
      <label>
        Code from the authenticator app
        <input
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </label>
      <button type="submit">{label}</button>
    </form>
  );

  return (
    <section className="card narrow">
      <h1>Two-factor authentication</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {enabled && (
        <>
          <p>Two-factor is on: signing in and sending value away ask for a code.</p>
          {codeForm('Turn off')}
        </>
      )}
      {!enabled && step.kind === 'start' && (
        <>
          <p>Protect sign-in and money leaving your account with a code from your phone.</p>
          <button type="button" onClick={() => void start()}>
            Turn on
          </button>
        </>
      )}
      {step.kind === 'scan' && (
        <>
          <p>
            Add the account to your authenticator app (<a href={step.otpauthUri}>open it</a>) or
            type this key: <code data-testid="totp-secret">{step.secret}</code>
          </p>
          {codeForm('Confirm')}
        </>
      )}
      {step.kind === 'codes' && (
        <>
          <p role="status" className="notice">
            Two-factor is on. Keep these recovery codes somewhere safe: each signs you in once if
            you lose your phone, and they are not shown again.
          </p>
          <ul data-testid="recovery-codes">
            {step.recoveryCodes.map((recovery) => (
              <li key={recovery}>
                <code>{recovery}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {step.kind === 'off' && (
        <p role="status" className="notice">
          Two-factor is off.
        </p>
      )}
    </section>
  );
}
