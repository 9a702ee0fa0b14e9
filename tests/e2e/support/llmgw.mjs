// The built llmgw binary as a user runs it: `llmgw serve --port 0` in a fresh HOME with
// its own XDG dirs and an exact environment (nothing inherited but PATH), its base URL
// read from the first line of stdout.
//
//   const daemon = await startServe({ OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: key });
//   ... new OpenAI({ baseURL: daemon.baseURL, apiKey: 'unused' }) ...
//   const { code, signal, stderr } = await daemon.stop();   // SIGTERM, then the exit
//
// The binary is $LLMGW_BINARY, or build-test/llmgw at the top of the repository (what
// scripts/test builds).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const k_start_timeout_ms = 10_000;
const k_stop_timeout_ms = 15_000;

export function llmgwBinary() {
  const binary = path.resolve(
    process.env.LLMGW_BINARY ?? path.join(here, '../../../build-test/llmgw'),
  );
  if (!fs.existsSync(binary)) {
    throw new Error(
      `no llmgw binary at ${binary}: build it (scripts/test does) or set LLMGW_BINARY`,
    );
  }
  return binary;
}

// A fresh user: an empty HOME and XDG dirs, and the environment a run gets.
export function freshUser(extraEnv = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'llmgw-e2e-'));
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    // Everything here is on 127.0.0.1: a proxy in the caller's environment must not catch it.
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...extraEnv,
  };
  return { home, env, remove: () => fs.rmSync(home, { recursive: true, force: true }) };
}

// Runs llmgw to completion (e.g. `llmgw usage --json`) as that user.
export function runLlmgw(user, args) {
  const result = spawnSync(llmgwBinary(), args, {
    env: user.env,
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export async function startServe(user, args = []) {
  const child = spawn(llmgwBinary(), ['serve', '--port', '0', ...args], {
    env: user.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    stderr += text;
  });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // Should the test process end early (a crash, a timeout), the daemon goes with it.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  exited.then(() => process.off('exit', orphan));

  const baseURL = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `llmgw serve printed no base URL in ${k_start_timeout_ms} ms; stderr:\n${stderr}`,
        ),
      );
    }, k_start_timeout_ms);
    child.stdout.on('data', (text) => {
      stdout += text;
      const newline = stdout.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, newline));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `llmgw serve exited (code ${code}, signal ${signal}) before serving; stderr:\n${stderr}`,
        ),
      );
    });
  });

  let stopped = null;
  return {
    baseURL,
    pid: child.pid,
    stderr: () => stderr,
    // SIGTERM, then waits for the exit (SIGKILL if it takes too long, and says so).
    stop() {
      if (stopped) return stopped;
      const started = Date.now();
      stopped = (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        let timer;
        const late = new Promise((resolve) => {
          timer = setTimeout(() => resolve(null), k_stop_timeout_ms);
        });
        let result = await Promise.race([exited, late]);
        clearTimeout(timer);
        if (result === null) {
          child.kill('SIGKILL');
          result = { ...(await exited), killed: true };
        }
        return { ...result, stdout, stderr, elapsed_ms: Date.now() - started };
      })();
      return stopped;
    },
  };
}
