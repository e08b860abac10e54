/**
 * The TCP sockets a process tree listens on, as the kernel reports them: every descendant of a
 * process (from /proc/<pid>/stat), the socket inodes each holds open (/proc/<pid>/fd), and the
 * LISTEN entries of /proc/net/tcp and /proc/net/tcp6 with those inodes.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

export interface ListeningSocket {
  readonly pid: number;
  readonly command: string;
  readonly address: string;
  readonly port: number;
}

const LISTEN = '0A';

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[1]);
}

/** `root` and every process below it. */
export async function processTree(root: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const parents = new Map<number, number | undefined>(await Promise.all(pids.map(async (pid) => [pid, await parentOf(pid)] as const)));
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (parent !== undefined && tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1] !== undefined) inodes.add(match[1]);
  }
  return inodes;
}

/** `0100007F` -> 127.0.0.1; 32 hex digits (four little-endian words) -> an IPv6 address. */
export function decodeProcAddress(hex: string): string {
  if (hex.length === 8) {
    return Buffer.from(hex, 'hex').reverse().join('.');
  }
  const bytes = Buffer.alloc(16);
  for (let word = 0; word < 4; word += 1) {
    Buffer.from(hex.slice(word * 8, word * 8 + 8), 'hex').reverse().copy(bytes, word * 4);
  }
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text.startsWith('0:0:0:0:0:ffff:')) return `::ffff:${[...bytes.subarray(12)].join('.')}`;
  return text;
}

async function listeners(): Promise<Map<string, { address: string; port: number }>> {
  const byInode = new Map<string, { address: string; port: number }>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [, local, , state, , , , , , inode] = fields;
      if (local === undefined || state !== LISTEN || inode === undefined) continue;
      const [addressHex = '', portHex = ''] = local.split(':');
      byInode.set(inode, { address: decodeProcAddress(addressHex), port: Number.parseInt(portHex, 16) });
    }
  }
  return byInode;
}

/** Every listening TCP socket held by `root` or a process below it. */
export async function listeningSocketsOf(root: number): Promise<ListeningSocket[]> {
  const [tree, table] = await Promise.all([processTree(root), listeners()]);
  const found: ListeningSocket[] = [];
  const seen = new Set<string>();
  for (const pid of tree) {
    const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
    for (const inode of await socketInodes(pid)) {
      const socket = table.get(inode);
      if (socket === undefined || seen.has(inode)) continue;
      seen.add(inode);
      found.push({ pid, command, ...socket });
    }
  }
  return found;
}
