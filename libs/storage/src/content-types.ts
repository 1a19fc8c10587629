/** Bytes read from the start of an object to recognise its type. */
export const SNIFF_BYTES = 512;

const startsWith = (head: Buffer, signature: string | number[], at = 0): boolean => {
  const bytes =
    typeof signature === 'string' ? Buffer.from(signature, 'latin1') : Buffer.from(signature);

  return head.length >= at + bytes.length && head.subarray(at, at + bytes.length).equals(bytes);
};

/**
 * The content types a purpose may accept, each with the test its first bytes must pass. A
 * declared type is only as good as this check: S3 stores whatever Content-Type the form says.
 */
export const CONTENT_SIGNATURES = {
  'image/jpeg': (head: Buffer) => startsWith(head, [0xff, 0xd8, 0xff]),
  'image/png': (head: Buffer) => startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/gif': (head: Buffer) => startsWith(head, 'GIF87a') || startsWith(head, 'GIF89a'),
  'image/webp': (head: Buffer) => startsWith(head, 'RIFF') && startsWith(head, 'WEBP', 8),
  'application/pdf': (head: Buffer) => startsWith(head, '%PDF-'),
  // Text has no magic number; a NUL byte in its first bytes is what marks a binary file.
  'text/csv': (head: Buffer) => !head.includes(0),
} satisfies Record<string, (head: Buffer) => boolean>;

export type UploadContentType = keyof typeof CONTENT_SIGNATURES;

export const UPLOAD_CONTENT_TYPES = Object.keys(CONTENT_SIGNATURES) as UploadContentType[];

export function isUploadContentType(value: string): value is UploadContentType {
  return Object.hasOwn(CONTENT_SIGNATURES, value);
}

/** Whether the object's first bytes are those of `type`. */
export function matchesContentType(type: UploadContentType, head: Buffer): boolean {
  return CONTENT_SIGNATURES[type](head);
}
