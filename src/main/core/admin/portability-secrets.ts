import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { z } from 'zod';
import { ToolError } from './registry';

/**
 * The secrets block of a workspace export: the secrets as JSON, encrypted with AES-256-GCM under a
 * key derived from the user's passphrase with scrypt (random salt, stored beside it). The records
 * stay readable (and diffable) outside it.
 */

const stringMap = z.record(z.string(), z.string());

/** What the block holds once decrypted, each keyed by the record's id. */
export const plainSecretsSchema = z.strictObject({
  auth_configs: stringMap.default({}).describe('OAuth client secrets by connector id.'),
  connector_env: z.record(z.string(), stringMap).default({}),
  connector_headers: z.record(z.string(), stringMap).default({}),
  webhooks: stringMap.default({}).describe('Signing secrets by webhook id.'),
  connections: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});
export type PlainSecrets = z.infer<typeof plainSecretsSchema>;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

export const sealedBlockSchema = z.strictObject({
  included: z.literal(true),
  cipher: z.literal('aes-256-gcm'),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    // Bounded, so a hostile file cannot make the import spend gigabytes or minutes.
    N: z
      .number()
      .int()
      .min(1024)
      .max(2 ** 20)
      .refine((n) => (n & (n - 1)) === 0, 'N must be a power of 2'),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(4),
    salt: base64,
  }),
  iv: base64,
  tag: base64,
  data: base64,
});
export type SealedBlock = z.infer<typeof sealedBlockSchema>;

const AAD = Buffer.from('portico_workspace:1:secrets');
const KDF = { N: 2 ** 15, r: 8, p: 1 };

function deriveKey(passphrase: string, kdf: SealedBlock['kdf']): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.N * kdf.r + 16 * 1024 * 1024,
  });
}

export function encryptSecrets(secrets: PlainSecrets, passphrase: string): SealedBlock {
  const kdf = { name: 'scrypt' as const, ...KDF, salt: randomBytes(16).toString('base64') };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, kdf), iv);
  cipher.setAAD(AAD);
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return {
    included: true,
    cipher: 'aes-256-gcm',
    kdf,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** Opens the block; a wrong passphrase or an altered block is a ToolError (nothing is applied). */
export function decryptSecrets(block: SealedBlock, passphrase: string): PlainSecrets {
  const iv = Buffer.from(block.iv, 'base64');
  const tag = Buffer.from(block.tag, 'base64');
  if (iv.length !== 12 || tag.length !== 16)
    throw new ToolError(
      'The secrets block of this file is damaged (iv or tag has the wrong length). Nothing was imported.',
    );
  let text: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(passphrase, block.kdf), iv);
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    text = Buffer.concat([decipher.update(Buffer.from(block.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new ToolError(
      'The passphrase does not open the secrets in this file (wrong passphrase, or the secrets block was altered). Nothing was imported; try again with the passphrase used for the export.',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ToolError('The secrets block of this file does not hold JSON. Nothing was imported.');
  }
  const result = plainSecretsSchema.safeParse(parsed);
  if (!result.success)
    throw new ToolError(
      `The secrets block of this file is not in the expected shape (${result.error.issues[0]?.path.join('.')}: ${result.error.issues[0]?.message}). Nothing was imported.`,
    );
  return result.data;
}
