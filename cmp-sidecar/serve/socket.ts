import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ConfigError } from '../../core/errors';

/**
 * Makes `socket` ready to listen on: its directory private to this user (created 0700; an existing one must be a
 * real directory of ours that no one else can write to, since whoever can enter it can talk to the server), and
 * a socket left behind by a server that is gone removed. A live server on the path, or a path that is not a
 * socket, is refused: nothing but a stale socket is ever deleted.
 */
export async function prepareSocket(socket: string): Promise<void> {
  const dir = path.dirname(socket);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new ConfigError([`socket directory ${dir}: ${(e as Error).message}`], { cause: e });
  }
  const st = fs.lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new ConfigError([
      `socket directory ${dir} must be a directory owned by this user with mode 0700 (it is ${(st.mode & 0o777).toString(8)})`,
    ]);
  }
  const existing = fs.lstatSync(socket, { throwIfNoEntry: false });
  if (existing === undefined) return;
  if (!existing.isSocket())
    throw new ConfigError([`${socket} exists and is not a socket; not removing it`]);
  if (await answers(socket))
    throw new ConfigError([`a render server already listens on ${socket}`]);
  fs.unlinkSync(socket);
}

/** True when something accepts connections on the socket. */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect(socket);
    conn.once('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.once('error', () => resolve(false));
  });
}

/** Removes the socket this server listened on, if it is still a socket (never anything else). */
export function removeSocket(socket: string): void {
  try {
    if (fs.lstatSync(socket, { throwIfNoEntry: false })?.isSocket() === true) fs.unlinkSync(socket);
  } catch {
    // Gone already: the next server handles what is left.
  }
}
