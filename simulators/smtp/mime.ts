/** Just enough MIME to read what nodemailer sends: headers, multipart parts, QP and base64. */
export interface MimePart {
  headers: Map<string, string>;
  body: string;
}

const splitHead = (raw: string): MimePart => {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  // Folded header lines continue with whitespace.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }

  return { headers, body };
};

const decode = (part: MimePart): string => {
  const encoding = part.headers.get('content-transfer-encoding')?.toLowerCase();
  if (encoding === 'base64') {
    return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  if (encoding === 'quoted-printable') {
    const bytes = part.body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

    return Buffer.from(bytes, 'latin1').toString('utf8');
  }

  return part.body;
};

/** The message's headers and its decoded bodies by content type (`text/plain`, `text/html`). */
export function readMime(raw: string): {
  headers: Map<string, string>;
  bodies: Map<string, string>;
} {
  const message = splitHead(raw);
  const bodies = new Map<string, string>();
  const collect = (part: MimePart): void => {
    const type = part.headers.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (boundary) {
      for (const chunk of part.body.split(`--${boundary}`).slice(1)) {
        if (!chunk.startsWith('--')) {
          collect(splitHead(chunk.replace(/^\r?\n/, '')));
        }
      }
    } else {
      bodies.set(type.split(';')[0]!.trim().toLowerCase(), decode(part));
    }
  };
  collect(message);

  return { headers: message.headers, bodies };
}
