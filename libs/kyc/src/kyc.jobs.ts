/** KYC's queue: sending cases to the identity vendor and erasing PII past its retention. */
export const KYC_QUEUE = 'kyc';

export const KycJob = {
  SumsubSubmit: 'kyc.sumsub-submit',
  EraseExpired: 'kyc.erase-expired',
} as const;

/** A submitted case to send to Sumsub; the job id is `sumsub-submit:<caseId>:<submittedAt ms>`. */
export interface SumsubSubmitJob {
  caseId: string;
}

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface EraseExpiredJob {
  bucket: string;
}
