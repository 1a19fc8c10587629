/** One part of a multipart/form-data body: a field, or the file (the part with a filename). */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** The boundary of a `multipart/form-data; boundary=...` content type, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /^multipart\/form-data\s*;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(
    contentType ?? '',
  );

  return match ? (match[1] ?? match[2]) : undefined;
}

/**
 * Splits a multipart/form-data body (RFC 7578) into its parts. The body is held in memory: the
 * simulator's uploads are small and S3's own POST limit (5 GB) is not what is being tested.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) {
    return undefined;
  }
  for (;;) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') {
      return parts;
    }
    const headerStart = afterDelimiter + 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    const next = body.indexOf(delimiter, headerEnd);
    if (headerEnd < 0 || next < 0) {
      return undefined;
    }
    const headers = body.subarray(headerStart, headerEnd).toString('utf8').split('\r\n');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) {
      return undefined;
    }
    const type = headers.find((h) => /^content-type:/i.test(h));
    parts.push({
      name,
      filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
      contentType: type?.slice(type.indexOf(':') + 1).trim(),
      // The part's data ends before the CRLF that precedes the next delimiter.
      data: body.subarray(headerEnd + 4, next - 2),
    });
    start = next;
  }
}
