import { safeStorage } from 'electron';
import type { SecretCipher } from '../store/secret-store';

/**
 * The OS keyring through safeStorage, or null where there is none. On Linux without a keyring
 * Electron falls back to a hard-coded key ('basic_text'): that is not encryption, so it counts as none.
 */
export function keyringCipher(): SecretCipher | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (sealed) => safeStorage.decryptString(sealed),
  };
}
