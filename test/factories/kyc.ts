import type { TestServer } from '../setup/apps';
import type { SignedInUser } from './users';

export const APPLICANT = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  country: 'GB',
  nationalId: 'QQ123456C',
  birthDate: '1990-12-10',
};

/** Takes a user through KYC over HTTP: applicant, submit, a compliance officer claims and approves. */
export async function passKyc(
  api: TestServer,
  user: SignedInUser,
  reviewer: SignedInUser,
  tier: 'basic' | 'full' = 'basic',
): Promise<string> {
  const call = async (token: string, path: string, body?: unknown) => {
    const res = await api.request('POST', path, { token, body });
    if (res.status !== 200) {
      throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }

    return res.body as { caseId?: string; id?: string };
  };
  const { caseId } = await call(user.accessToken, '/v1/kyc/applicant', APPLICANT);
  await call(user.accessToken, '/v1/kyc/submit');
  await call(reviewer.accessToken, `/v1/kyc/review/cases/${caseId}/claim`);
  await call(reviewer.accessToken, `/v1/kyc/review/cases/${caseId}/approve`, { tier });

  return caseId!;
}
