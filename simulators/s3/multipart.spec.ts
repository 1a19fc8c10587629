import { boundaryOf, parseMultipart } from './multipart';

describe('multipart/form-data parsing', () => {
  it('reads what fetch sends: fields in order and the file with its bytes untouched', async () => {
    const file = Buffer.from([0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff]); // CRLF and dashes inside
    const form = new FormData();
    form.append('key', 'incoming/a/b');
    form.append('Content-Type', 'image/png');
    form.append('file', new Blob([new Uint8Array(file)]), 'x.png');
    const request = new Request('http://localhost/', { method: 'POST', body: form });
    const boundary = boundaryOf(request.headers.get('content-type') ?? undefined);
    expect(boundary).toBeDefined();

    const parts = parseMultipart(Buffer.from(await request.arrayBuffer()), boundary!);
    expect(parts?.map((p) => [p.name, p.filename])).toEqual([
      ['key', undefined],
      ['Content-Type', undefined],
      ['file', 'x.png'],
    ]);
    expect(parts?.[0]?.data.toString()).toBe('incoming/a/b');
    expect(parts?.[2]?.data).toEqual(file);
  });

  it('refuses a body that is not multipart', () => {
    expect(boundaryOf('application/x-www-form-urlencoded')).toBeUndefined();
    expect(parseMultipart(Buffer.from('key=value'), 'xyz')).toBeUndefined();
    expect(parseMultipart(Buffer.from('--xyz\r\nno blank line'), 'xyz')).toBeUndefined();
  });
});
