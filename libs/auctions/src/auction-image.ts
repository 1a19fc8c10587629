import type { UploadPurpose } from '@bourse/storage';

/** A lot's gallery image: uploaded by an admin, readable by anyone, with a thumbnail. */
export const AUCTION_IMAGE: UploadPurpose = {
  name: 'auction.image',
  contentTypes: ['image/jpeg', 'image/png', 'image/webp'],
  maxBytes: 15 * 1024 * 1024,
  readers: { anyone: true },
  thumbnail: { maxPixels: 480 },
};
