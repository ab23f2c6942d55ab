// The image's User (`name`, `uid`, `name:group`, `uid:gid`) as the process's uid, gid and
// supplementary groups, looked up in the image's own /etc/passwd and /etc/group, as runc's
// user.GetExecUser does: a numeric uid need not exist there (its gid is then 0), a name must.
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateContainerError } from '../types.js';

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

interface Entry {
  name: string;
  id: number;
  /** passwd: the primary gid; group: unused. */
  gid: number;
  members: string[];
}

/**
 * One of the image's /etc files, never followed out of the image: a symlink there could point
 * at the machine's own file, so it counts as absent.
 */
function imageFile(rootfs: string, path: string): string[] {
  const file = join(rootfs, path);
  try {
    if (!lstatSync(file).isFile()) return [];
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}

function passwd(rootfs: string): Entry[] {
  return imageFile(rootfs, 'etc/passwd').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return [];
    return [{ name: f[0]!, id: Number(f[2]), gid: Number(f[3]), members: [] }];
  });
}

function groups(rootfs: string): Entry[] {
  return imageFile(rootfs, 'etc/group').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 3 || !/^\d+$/.test(f[2]!)) return [];
    return [{ name: f[0]!, id: Number(f[2]), gid: 0, members: (f[3] ?? '').split(',').filter(Boolean) }];
  });
}

const numeric = (s: string) => /^\d+$/.test(s);

export function resolveUser(rootfs: string, spec: string): ProcessUser {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const users = passwd(rootfs);
  let uid = 0;
  let gid = 0;
  let name: string | undefined;
  if (userPart !== '') {
    const byName = users.find((u) => u.name === userPart);
    const entry = byName ?? (numeric(userPart) ? users.find((u) => u.id === Number(userPart)) : undefined);
    if (!entry && !numeric(userPart)) throw new CreateContainerError(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry ? entry.id : Number(userPart);
    gid = entry ? entry.gid : 0;
    name = entry?.name;
  } else {
    const root = users.find((u) => u.id === 0);
    name = root?.name;
    gid = root?.gid ?? 0;
  }
  const all = groups(rootfs);
  if (groupPart !== undefined && groupPart !== '') {
    const g = all.find((x) => x.name === groupPart) ?? (numeric(groupPart) ? { id: Number(groupPart) } : undefined);
    if (!g) throw new CreateContainerError(`unable to find group ${groupPart}: no matching entries in group file`);
    gid = g.id;
  }
  const user: ProcessUser = { uid, gid };
  // The groups that list the user by name, as the image's own login would give it.
  const extra = name === undefined ? [] : all.filter((g) => g.members.includes(name!) && g.id !== gid).map((g) => g.id);
  if (extra.length) user.additionalGids = [...new Set(extra)];
  return user;
}
