import { SIMULATOR_CREDENTIALS, type StorageAppConfig } from '@bourse/storage';
import { once } from 'node:events';
import { S3Simulator } from '../../../simulators/s3/s3.simulator';

/**
 * `s3:simulator`: the signature-checking local S3 `npm start` runs beside the api and worker,
 * listening where STORAGE_S3_ENDPOINT points, with its bucket, region and key pair (the
 * simulator's own key when none is configured). Runs until SIGINT or SIGTERM.
 */
export async function runS3Simulator(config: StorageAppConfig): Promise<string> {
  const { storage } = config;
  const endpoint = new URL(storage.endpoint);
  if (endpoint.protocol !== 'http:') {
    throw new Error(`s3:simulator serves plain HTTP; STORAGE_S3_ENDPOINT is ${storage.endpoint}`);
  }
  const simulator = new S3Simulator({
    credentials: [storage.credentials ?? SIMULATOR_CREDENTIALS],
    region: storage.region,
    buckets: [storage.bucket],
  });
  const url = await simulator.start(Number(endpoint.port || 80), endpoint.hostname);
  process.stdout.write(
    `S3 simulator on ${url} (bucket ${storage.bucket}, region ${storage.region})\n`,
  );
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'S3 simulator stopped';
}
