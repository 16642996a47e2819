import { createHash } from 'node:crypto';

// Host key identity as OpenSSH shows it. `blob` is the SSH wire-format public key (what ssh2 hands
// the hostVerifier, and what the base64 field of a known_hosts line decodes to).

/** `SHA256:` + unpadded base64, exactly like `ssh-keygen -lf` (openssh sshkey.c fingerprint_b64). */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The key type named inside the blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`...): the
 * blob starts with a uint32 length and that many ASCII bytes. Returns null for a malformed blob.
 */
export function keyType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || blob.length < 4 + len) return null;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}
