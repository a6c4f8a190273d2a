import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { UsageError, type Command } from '../cli-io';
import { parseOptions } from '../parse-options';

const USAGE = `echo -n PASSWORD | authtrail hash-password [--algorithm argon2id|bcrypt]

Reads the password from standard input (never from the command line, where it would land in the
shell history and the process list) and prints a PHC string for the password column of the
basic-auth CSV. Default argon2id (m=19456 KiB, t=2, p=1, the OWASP minimum).`;

export const hashPasswordCommand: Command = {
  name: 'hash-password',
  summary: 'hash a password for the basic-auth file',
  usage: USAGE,
  async run(args, io) {
    const o = parseOptions(args, { algorithm: { type: 'string' } });
    const algorithm = o.algorithm ?? 'argon2id';
    if (algorithm !== 'argon2id' && algorithm !== 'bcrypt') throw new UsageError(`--algorithm: "${algorithm}" is not one of argon2id, bcrypt`);
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    if (password.length === 0) throw new UsageError('no password on standard input');
    const phc = algorithm === 'bcrypt' ? await bcryptHash(password, 12) : await argon2Hash(password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    io.stdout(`${phc}\n`);
  },
};
