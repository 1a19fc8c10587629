import { isRole, type Principal, type Role } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { isUploadContentType, type UploadContentType } from './content-types';
import type { Upload } from './storage.types';

export const PURPOSE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

/**
 * What a lib accepts for one kind of file (`kyc.document`, `auction.image`, `export`): the
 * policy S3 enforces on the upload, the check `complete` makes, and who may read it.
 */
export interface UploadPurpose {
  /** `<lib>.<what>`: a path segment of the object keys and the `purpose` clients send. */
  name: string;
  contentTypes: readonly UploadContentType[];
  /** Smallest accepted size in bytes (default 1). */
  minBytes?: number;
  maxBytes: number;
  /**
   * Who may read besides the owner: users with one of these roles (declared ones: the
   * platform's or a lib's `defineRole`), API keys holding one of these scopes (e.g. a compliance
   * back office reading KYC documents), or `anyone` (even signed out: a lot's gallery).
   * Default: the owner only.
   */
  readers?: { roles?: readonly Role[]; apiKeyScopes?: readonly string[]; anyone?: boolean };
  /** The worker makes a WebP thumbnail fitting `maxPixels` × `maxPixels` once verified. */
  thumbnail?: { maxPixels: number };
}

/**
 * The purposes of this process, declared by the libs that own them (see
 * StorageModule.forPurposes). An upload whose purpose is no longer declared stays readable by
 * its owner only.
 */
@Injectable()
export class UploadPurposes {
  private readonly purposes = new Map<string, UploadPurpose>();

  register(purpose: UploadPurpose): void {
    const problem = problemOf(purpose);
    if (problem) {
      throw new Error(`Upload purpose ${purpose.name}: ${problem}`);
    }
    const known = this.purposes.get(purpose.name);
    if (known && known !== purpose) {
      throw new Error(`Upload purpose ${purpose.name} is declared twice`);
    }
    this.purposes.set(purpose.name, purpose);
  }

  get(name: string): UploadPurpose | undefined {
    return this.purposes.get(name);
  }

  /** The owner, or a principal the upload's purpose lets read (anyone, if it says so). */
  canRead(principal: Principal | undefined, upload: Upload): boolean {
    if (this.purposes.get(upload.purpose)?.readers?.anyone) {
      return true;
    }
    if (!principal) {
      return false;
    }
    if (principal.kind === 'user' && principal.userId === upload.ownerId) {
      return true;
    }
    const readers = this.purposes.get(upload.purpose)?.readers;

    return principal.kind === 'user'
      ? (readers?.roles ?? []).includes(principal.role)
      : principal.scopes.some((scope) => (readers?.apiKeyScopes ?? []).includes(scope));
  }
}

function problemOf(purpose: UploadPurpose): string | undefined {
  const min = purpose.minBytes ?? 1;
  if (!PURPOSE_PATTERN.test(purpose.name)) {
    return `the name must match ${PURPOSE_PATTERN}`;
  }
  if (purpose.contentTypes.length === 0 || !purpose.contentTypes.every(isUploadContentType)) {
    return 'contentTypes must be a non-empty list of known content types';
  }
  if (
    !Number.isSafeInteger(min) ||
    min < 1 ||
    !Number.isSafeInteger(purpose.maxBytes) ||
    purpose.maxBytes < min
  ) {
    return 'sizes must be integers with 1 <= minBytes <= maxBytes';
  }
  const undeclared = (purpose.readers?.roles ?? []).filter((role) => !isRole(role));
  if (undeclared.length > 0) {
    return `readers.roles names undeclared roles ${undeclared.join(', ')} (declare them with defineRole)`;
  }
  if (
    purpose.thumbnail &&
    !(purpose.thumbnail.maxPixels >= 16 && purpose.thumbnail.maxPixels <= 4096)
  ) {
    return 'thumbnail.maxPixels must be between 16 and 4096';
  }

  return undefined;
}
