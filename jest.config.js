/** One jest run: unit specs beside the code, e2e specs under test/ against real Postgres and Redis. */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@bourse/client$': '<rootDir>/clients/typescript/src',
    '^@bourse/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@bourse/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 30000,
  // Two cores: e2e files each boot Nest apps; more workers only contend.
  maxWorkers: 2,
};
