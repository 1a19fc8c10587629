import { QueryFailedError } from 'typeorm';
import { isTransientDatabaseError } from './transient-errors';

const pgError = (code: string, message = 'from postgres') =>
  Object.assign(new Error(message), { code });
const failedQuery = (code: string) => new QueryFailedError('SELECT 1', [], pgError(code));

describe('isTransientDatabaseError', () => {
  it.each([
    ['a serialization failure', '40001'],
    ['a deadlock', '40P01'],
    ['a lock timeout', '55P03'],
    ['a statement timeout', '57014'],
    ['an administrator shutdown', '57P01'],
    ['a server still starting up', '57P03'],
    ['a dropped connection', '08006'],
    ['too many connections', '53300'],
  ])('is true for %s (%s), raw or wrapped by TypeORM', (_what, code) => {
    expect(isTransientDatabaseError(failedQuery(code))).toBe(true);
    expect(isTransientDatabaseError(pgError(code))).toBe(true);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])('is true for a socket %s', (code) => {
    expect(isTransientDatabaseError(pgError(code, `connect ${code} 127.0.0.1:5432`))).toBe(true);
  });

  it.each([
    'timeout exceeded when trying to connect',
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
  ])('is true for the driver error "%s"', (message) => {
    expect(isTransientDatabaseError(new Error(message))).toBe(true);
  });

  it.each([
    ['a unique violation', '23505'],
    ['a syntax error', '42601'],
    ['a check violation', '23514'],
    ['an invalid input', '22P02'],
  ])('is false for %s (%s): retrying would fail the same way', (_what, code) => {
    expect(isTransientDatabaseError(failedQuery(code))).toBe(false);
  });

  it('is false for errors that are not the database', () => {
    expect(isTransientDatabaseError(new Error('refused by the test'))).toBe(false);
    expect(isTransientDatabaseError('timeout exceeded when trying to connect')).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});
