import { ConfigError, loadConfig } from '@bourse/platform';
import { STORAGE_CONFIG, uploadFormOrigin } from './storage.config';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env, [STORAGE_CONFIG]);
  } catch (error) {
    return (error as ConfigError).problems;
  }

  return [];
};

describe('STORAGE_CONFIG', () => {
  it('reads config.storage, with credentials only when a key pair is set', () => {
    expect(loadConfig({}, [STORAGE_CONFIG]).storage).toMatchObject({
      endpoint: 'http://127.0.0.1:3189',
      bucket: 'bourse-uploads',
      credentials: undefined,
      forcePathStyle: true,
    });
    const keyed = loadConfig(
      {
        STORAGE_S3_ACCESS_KEY_ID: 'id',
        STORAGE_S3_SECRET_ACCESS_KEY: 'secret',
        STORAGE_S3_FORCE_PATH_STYLE: 'false',
      },
      [STORAGE_CONFIG],
    ).storage;
    expect(keyed).toMatchObject({
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      forcePathStyle: false,
    });
  });

  it('refuses half a key pair and out-of-range lifetimes, naming the variables', () => {
    expect(problemsOf({ STORAGE_S3_ACCESS_KEY_ID: 'id' })).toEqual([
      'STORAGE_S3_ACCESS_KEY_ID: set it and STORAGE_S3_SECRET_ACCESS_KEY together, or neither',
    ]);
    expect(problemsOf({ STORAGE_UPLOAD_URL_TTL_SECONDS: '30' })).toEqual([
      'STORAGE_UPLOAD_URL_TTL_SECONDS: must be >= 60, got 30',
    ]);
  });

  it('names the origin browsers POST upload forms to, path-style or virtual-hosted', () => {
    expect(uploadFormOrigin(loadConfig({}, [STORAGE_CONFIG]).storage)).toBe(
      'http://127.0.0.1:3189',
    );
    const aws = loadConfig(
      {
        STORAGE_S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com/',
        STORAGE_S3_BUCKET: 'kyc-docs',
        STORAGE_S3_FORCE_PATH_STYLE: 'false',
      },
      [STORAGE_CONFIG],
    ).storage;
    expect(uploadFormOrigin(aws)).toBe('https://kyc-docs.s3.eu-west-1.amazonaws.com');
  });
});
