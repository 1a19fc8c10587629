'use strict';
/** Entry of a worker child process (`spawnWorker`): the production worker app on test config. */
require('./ts-register.js');
require('./worker-main.ts');
