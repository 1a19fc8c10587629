'use strict';
/** Entry of a worker child process (`spawnWorker`): the production worker app on test config. */
require('./ts-register.cjs');
require('./worker-main.ts');
