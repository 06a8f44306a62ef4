// Bytes as base64 text and back: UserSig tickets, webhook secrets and signatures, and watch
// tokens (their URL-safe form on top) all carry bytes in text. Node loads this file too (the
// Tencent stand-in, through src/tencent/rest/): erasable TypeScript only.

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The bytes a base64 text spells, or null when it is not base64. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
