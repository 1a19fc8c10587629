'use strict';
/**
 * Lets a plain `node` child process (a worker a test kills for real) load the TypeScript sources
 * as jest does: .ts compiled by @swc/core with the repository's .swcrc, `@bourse/<lib>` mapped to
 * `libs/<lib>/src`.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@bourse\/([a-z-]+)(\/.*)?$/.exec(request);
  const mapped = lib ? path.join(root, 'libs', lib[1], 'src', lib[2] ?? '') : request;

  return resolve.call(this, mapped, ...rest);
};
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    ...swcrc,
    filename,
    sourceMaps: 'inline',
    swcrc: false,
  });
  module._compile(code, filename);
};
