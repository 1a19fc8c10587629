import sharp from 'sharp';
import { matchesContentType, type UploadContentType } from './content-types';

describe('content signatures', () => {
  const image = (format: 'png' | 'jpeg' | 'webp' | 'gif') =>
    sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } })
      .toFormat(format)
      .toBuffer();

  it.each(['png', 'jpeg', 'webp', 'gif'] as const)(
    'recognises a real %s and nothing else',
    async (format) => {
      const bytes = await image(format);
      const own = `image/${format}` as UploadContentType;
      expect(matchesContentType(own, bytes)).toBe(true);
      for (const other of [
        'image/png',
        'image/jpeg',
        'image/webp',
        'image/gif',
        'application/pdf',
      ] as const) {
        if (other !== own) {
          expect(matchesContentType(other, bytes)).toBe(false);
        }
      }
    },
  );

  it('a PDF by its header, CSV by the absence of NUL bytes', () => {
    expect(matchesContentType('application/pdf', Buffer.from('%PDF-1.4\n...'))).toBe(true);
    expect(matchesContentType('application/pdf', Buffer.from('PDF-1.4'))).toBe(false);
    expect(matchesContentType('text/csv', Buffer.from('id,amount\n1,100\n'))).toBe(true);
    expect(matchesContentType('text/csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]))).toBe(false);
  });

  it('too few bytes match nothing', () => {
    expect(matchesContentType('image/png', Buffer.from([0x89, 0x50]))).toBe(false);
    expect(matchesContentType('image/webp', Buffer.from('RIFF'))).toBe(false);
  });
});
