/**
 * Kills the local control plane's real kube-apiserver and starts it again with the same command
 * line, environment and log file, in its own process group as control-plane.sh starts it (so
 * `control-plane.sh down` still stops it). etcd keeps the data; the controllers, kwok and the
 * harness's istiod processes reconnect by themselves.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

export async function restartApiServer(stateDir: string, downMs = 1500): Promise<void> {
  const pidFile = join(stateDir, 'pids', 'kube-apiserver');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((a) => a !== '');
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((e) => e.includes('='))
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
  await sleep(downMs);
  const log = openSync(join(stateDir, 'logs', 'kube-apiserver.log'), 'a');
  const child = spawn(argv[0]!, argv.slice(1), { env, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  await waitReady(stateDir);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitReady(stateDir: string, timeoutMs = 60_000): Promise<void> {
  const pki = (f: string): Buffer => readFileSync(join(stateDir, 'pki', f));
  const port = Number(readFileSync(join(stateDir, 'ports', 'apiserver'), 'utf8').trim());
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/readyz', ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key'), timeout: 2000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`kube-apiserver not ready ${timeoutMs / 1000}s after its restart (see ${join(stateDir, 'logs', 'kube-apiserver.log')})`);
}
