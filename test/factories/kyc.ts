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

/**
 * A file of `contentType` uploaded as the user's `kyc.document` through the S3 simulator the api
 * is configured with (presigned POST, then complete): answers the verified upload's id.
 */
export async function uploadKycDocument(
  api: TestServer,
  user: SignedInUser,
  file: Buffer,
  contentType = 'image/png',
): Promise<string> {
  const created = await api.request('POST', '/v1/uploads', {
    token: user.accessToken,
    body: { purpose: 'kyc.document', contentType, size: file.length },
  });
  if (created.status !== 201) {
    throw new Error(`upload: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(created.body.fields as Record<string, string>)) {
    form.append(name, value);
  }
  form.append('file', new Blob([new Uint8Array(file)]), 'document');
  const posted = await fetch(created.body.url as string, { method: 'POST', body: form });
  if (posted.status !== 204) {
    throw new Error(`S3 POST: ${posted.status} ${await posted.text()}`);
  }
  const done = await api.request('POST', `/v1/uploads/${created.body.uploadId}/complete`, {
    token: user.accessToken,
  });
  if (done.body.state !== 'verified') {
    throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
  }

  return created.body.uploadId as string;
}
