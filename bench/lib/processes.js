'use strict';
/** Child processes of a benchmark: tracked so every exit path stops them, and timed by CPU. */
const { readFileSync } = require('node:fs');
const { setTimeout: delay } = require('node:timers/promises');

const children = new Set();

/** Tracks `child` (its stderr kept for error messages) until it exits. */
function track(child, name = 'child') {
  child.benchName = name;
  child.stderrText = '';
  child.stderr?.on('data', (chunk) => (child.stderrText += chunk));
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  children.add(child);
  void child.exited.then(() => children.delete(child));

  return child;
}

/** SIGTERM, then SIGKILL after 10 s. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(timer);
}

function stopAll() {
  return Promise.all([...children].map(stop));
}

/** Resolves once `url` answers 2xx; fails early if `child` exits first. */
async function waitForOk(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${child.benchName} exited with ${child.exitCode}:\n${child.stderrText}`);
    }
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) {
      return;
    }
    await delay(200);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux clock ticks). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');

  return (Number(fields[11]) + Number(fields[12])) / 100;
}

module.exports = { cpuSeconds, stop, stopAll, track, waitForOk };
