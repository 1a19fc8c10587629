import {
  APP_CONFIG,
  AuditLog,
  Database,
  ForbiddenError,
  IdempotencyService,
  IdempotentResponse,
  newId,
  OutboxService,
  principalKey,
  type IdempotentRequest,
  type Principal,
  type Tx,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import type {
  ApplicantDto,
  KycApplicantViewDto,
  KycCaseDetailDto,
  KycCaseSummaryDto,
  KycDocumentDto,
  KycDto,
  KycExportDto,
  KycQueueDto,
} from './dto/kyc.dto';
import { KycDocumentsRepository } from './kyc-documents.repository';
import type { KycDocument } from './kyc.documents';
import { KYC_AUDIT } from './kyc.audit';
import type { KycAppConfig } from './kyc.config';
import { KycGate } from './kyc-gate.service';
import {
  KycCaseNotFoundError,
  KycClaimedError,
  KycDocumentsToRedoError,
  KycIncompleteError,
  KycUnknownDocumentsError,
} from './kyc.errors';
import { KYC_QUEUE, KycJob, type SumsubSubmitJob } from './kyc.jobs';
import { KycRepository } from './kyc.repository';
import { assertTransition, type KycState } from './kyc.states';
import { LIMIT_KINDS, type KycTier } from './kyc.tiers';
import type { KycCase } from './kyc.types';
import { PiiCipher } from './pii-cipher';

export function userIdOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users have a KYC case');
  }

  return principal.userId;
}

/** A vendor's verdict on a user's case, as its adapter read it. */
export interface VendorReview {
  userId: string;
  answer: 'GREEN' | 'RED';
  rejectType?: 'RETRY' | 'FINAL';
  rejectLabels: string[];
  /** `vendor:<name>`, the actor of the events it causes. */
  actorKey: string;
  payloadHash: string;
}

const QUEUE_STATES: readonly KycState[] = ['submitted', 'in_review', 'on_hold'];
/** States a case ends in: its retention period starts. */
const ENDED_STATES: readonly KycState[] = ['rejected', 'expired'];
const DAY_MS = 24 * 60 * 60 * 1000;

export const toDocumentDto = (doc: KycDocument): KycDocumentDto => ({
  id: doc.id,
  uploadId: doc.uploadId,
  type: doc.type,
  side: doc.side,
  redo: doc.redo,
  createdAt: doc.createdAt,
});

export interface TransitionInput {
  to: KycState;
  actor: Principal | undefined;
  /** Who the event names when no principal acted (`vendor:sumsub`). */
  actorKey?: string;
  tier?: KycTier;
  reasonCode?: string;
  payloadHash?: string;
  reviewerId?: string | null;
}

/** Cases, their one state machine, personal data sealed at rest, and the review queue. */
@Injectable()
export class KycService {
  constructor(
    private readonly db: Database,
    private readonly repo: KycRepository,
    private readonly documents: KycDocumentsRepository,
    private readonly outbox: OutboxService,
    private readonly gate: KycGate,
    private readonly cipher: PiiCipher,
    private readonly audit: AuditLog,
    private readonly idempotency: IdempotencyService,
    @Inject(APP_CONFIG) private readonly config: KycAppConfig,
  ) {}

  private get greenTier(): KycTier {
    return this.config.kyc.sumsubGreenTier;
  }

  async mine(principal: Principal | undefined): Promise<KycDto> {
    const userId = userIdOf(principal);

    return this.db.transaction(undefined, async (tx) =>
      this.toKycDto(await this.repo.lockByUser(tx, userId, newId()), tx),
    );
  }

  /**
   * Everything KYC holds about the caller, decrypted for them (data portability); the export is
   * an audit event.
   */
  export(principal: Principal | undefined): Promise<KycExportDto> {
    const userId = userIdOf(principal);

    return this.db.transaction(undefined, async (tx) => {
      const found = await this.repo.lockByUser(tx, userId, newId());
      await this.audit.record(
        tx,
        { actor: principal },
        KYC_AUDIT.event('kyc_case.export', found.id, { userId }),
      );

      return {
        exportedAt: new Date(),
        case: {
          caseId: found.id,
          state: found.state,
          tier: found.tier,
          retainUntil: found.retainUntil,
          erasedAt: found.erasedAt,
          createdAt: found.createdAt,
        },
        applicant: this.applicantOf(found),
        documents: (await this.documents.all(tx, found.id)).map(toDocumentDto),
        events: await this.repo.events(tx, found.id),
      };
    });
  }

  /** Personal data, sealed; moves the case to `collecting` (sending it again corrects it). */
  saveApplicant(
    principal: Principal | undefined,
    body: ApplicantDto,
    call?: IdempotentRequest,
  ): Promise<KycDto | IdempotentResponse<KycDto>> {
    const userId = userIdOf(principal);

    return this.idempotency.transaction(call, async (tx) => {
      const current = await this.repo.lockByUser(tx, userId, newId());
      await this.repo.update(tx, current.id, {
        firstName: body.firstName,
        lastName: body.lastName,
        country: body.country,
        nationalId: this.cipher.seal(body.nationalId),
        nationalIdFingerprint: this.cipher.fingerprint(body.nationalId),
        birthDate: this.cipher.seal(body.birthDate),
      });

      return this.toKycDto(
        await this.transition(tx, current, { to: 'collecting', actor: principal }),
        tx,
      );
    });
  }

  submit(
    principal: Principal | undefined,
    call?: IdempotentRequest,
  ): Promise<KycDto | IdempotentResponse<KycDto>> {
    const userId = userIdOf(principal);

    return this.idempotency.transaction(call, async (tx) => {
      const current = await this.repo.lockByUser(tx, userId, newId());
      if (current.state === 'collecting' && !current.nationalId) {
        throw new KycIncompleteError();
      }
      const toRedo = (await this.documents.current(tx, current.id)).filter((d) => d.redo);
      if (current.state === 'collecting' && toRedo.length > 0) {
        throw new KycDocumentsToRedoError(toRedo.map((d) => d.id));
      }
      const submitted = await this.transition(tx, current, { to: 'submitted', actor: principal });
      if (this.config.kyc.vendor === 'sumsub') {
        // Sent by the worker, never in this request: the vendor's latency and outages stay there.
        await this.outbox.enqueue<SumsubSubmitJob>(tx, {
          queue: KYC_QUEUE,
          name: KycJob.SumsubSubmit,
          jobId: `sumsub-submit:${submitted.id}:${submitted.updatedAt.getTime()}`,
          payload: { caseId: submitted.id },
        });
      }

      return this.toKycDto(submitted, tx);
    });
  }

  async queue(limit: number): Promise<KycQueueDto> {
    const cases = await this.repo.queue(this.db.manager, QUEUE_STATES, limit);

    return { items: cases.map(toSummary) };
  }

  /** The case in full, personal data decrypted: the read is recorded in the audit trail. */
  detail(principal: Principal | undefined, caseId: string): Promise<KycCaseDetailDto> {
    return this.db.transaction(undefined, async (tx) => {
      const found = await this.repo.find(tx, caseId);
      if (!found) {
        throw new KycCaseNotFoundError(caseId);
      }
      await this.audit.record(
        tx,
        { actor: principal },
        KYC_AUDIT.event('kyc_case.read_pii', found.id, { userId: found.userId }),
      );

      return {
        ...toSummary(found),
        applicant: this.applicantOf(found),
        events: await this.repo.events(tx, found.id),
        documents: (await this.documents.current(tx, found.id)).map(toDocumentDto),
      };
    });
  }

  /** A reviewer takes a submitted (or held) case; nobody else may decide it meanwhile. */
  claim(principal: Principal | undefined, caseId: string): Promise<KycCaseSummaryDto> {
    const reviewer = userIdOf(principal);

    return this.db.transaction(undefined, async (tx) => {
      const found = await this.lockCase(tx, caseId);
      if (found.state === 'in_review' && found.reviewerId !== reviewer) {
        throw new KycClaimedError(caseId);
      }
      if (found.state === 'in_review') {
        return toSummary(found);
      }

      return toSummary(
        await this.transition(tx, found, {
          to: 'in_review',
          actor: principal,
          reviewerId: reviewer,
        }),
      );
    });
  }

  /** The claiming reviewer's decision: approve with a tier, reject, hold, or ask to resubmit. */
  decide(
    principal: Principal | undefined,
    caseId: string,
    decision: {
      to: 'approved' | 'rejected' | 'resubmission_requested' | 'on_hold';
      tier?: 'basic' | 'full';
      reasonCode?: string;
      /** For a resubmission: the current documents to redo. */
      documents?: string[];
    },
  ): Promise<KycCaseSummaryDto> {
    const reviewer = userIdOf(principal);

    return this.db.transaction(undefined, async (tx) => {
      const found = await this.lockCase(tx, caseId);
      if (found.state === 'in_review' && found.reviewerId !== reviewer) {
        throw new KycClaimedError(caseId);
      }
      const unknown = await this.documents.markRedo(tx, found.id, decision.documents ?? []);
      if (unknown.length > 0) {
        throw new KycUnknownDocumentsError(unknown);
      }

      return toSummary(
        await this.transition(tx, found, {
          to: decision.to,
          actor: principal,
          tier: decision.to === 'approved' ? decision.tier : 'none',
          reasonCode: decision.reasonCode,
          reviewerId: decision.to === 'on_hold' ? found.reviewerId : null,
        }),
      );
    });
  }

  /**
   * A vendor's review result, in the inbox event's transaction. GREEN approves with
   * KYC_SUMSUB_GREEN_TIER; RED FINAL rejects and RED RETRY asks for a resubmission, also after an
   * approval (fraud found later: the tier goes at once). A submitted case is taken into review by
   * the vendor first; a result that no longer applies (GREEN on an approved case, anything on a
   * rejected one) changes nothing. `payloadHash` is kept with each event.
   */
  async applyVendorReview(tx: Tx, review: VendorReview): Promise<void> {
    const found = await this.repo.lockUser(tx, review.userId);
    if (!found) {
      return;
    }
    const target: KycState =
      review.answer === 'GREEN'
        ? 'approved'
        : review.rejectType === 'RETRY'
          ? 'resubmission_requested'
          : 'rejected';
    const reasonCode =
      review.answer === 'RED'
        ? (review.rejectLabels.map((l) => l.toLowerCase()).join(',') || 'vendor_red').slice(0, 200)
        : undefined;
    const common = { actor: undefined, actorKey: review.actorKey, payloadHash: review.payloadHash };
    let current = found;
    if (current.state === 'submitted' || current.state === 'on_hold') {
      current = await this.transition(tx, current, {
        ...common,
        to: 'in_review',
        reviewerId: null,
      });
    }
    const applies =
      current.state === 'in_review' || (current.state === 'approved' && target !== 'approved');
    if (applies) {
      await this.transition(tx, current, {
        ...common,
        to: target,
        tier: target === 'approved' ? this.greenTier : 'none',
        reasonCode,
      });
    }
  }

  /**
   * The one way a case changes: checked against KYC_TRANSITIONS, with its append-only event and
   * its audit record in the caller's transaction. Any move away from `approved` drops the tier.
   */
  async transition(tx: Tx, current: KycCase, input: TransitionInput): Promise<KycCase> {
    assertTransition(current.state, input.to);
    const tier = input.tier ?? (input.to === 'approved' ? current.tier : 'none');
    const changed = await this.repo.update(tx, current.id, {
      state: input.to,
      tier,
      reviewerId: input.reviewerId,
      retainUntil: ENDED_STATES.includes(input.to)
        ? new Date(Date.now() + this.config.kyc.retentionDays * DAY_MS)
        : null,
    });
    await this.repo.appendEvent(tx, current.id, {
      fromState: current.state,
      toState: input.to,
      tier,
      actor: input.actorKey ?? principalKey(input.actor),
      reasonCode: input.reasonCode,
      payloadHash: input.payloadHash,
    });
    await this.audit.record(
      tx,
      { actor: input.actor },
      KYC_AUDIT.event('kyc_case.transition', current.id, {
        from: current.state,
        to: input.to,
        tier,
        ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
        ...(input.actorKey ? { source: input.actorKey } : {}),
      }),
    );

    return changed;
  }

  private async lockCase(tx: Tx, caseId: string): Promise<KycCase> {
    const found = await this.repo.lock(tx, caseId);
    if (!found) {
      throw new KycCaseNotFoundError(caseId);
    }

    return found;
  }

  private applicantOf(found: KycCase): KycApplicantViewDto | undefined {
    if (!found.nationalId || !found.birthDate) {
      return undefined;
    }

    return {
      firstName: found.firstName!,
      lastName: found.lastName!,
      country: found.country!,
      nationalId: this.cipher.open(found.nationalId),
      birthDate: this.cipher.open(found.birthDate),
    };
  }

  /** The owner's view of their case (limits, documents) in `tx`. */
  async toKycDto(found: KycCase, tx: Tx): Promise<KycDto> {
    // One statement at a time: `tx` is one connection.
    const limits = [];
    for (const kind of LIMIT_KINDS) {
      const period = this.gate.limitsOf(found.tier, kind);
      const left = await this.gate.remaining(found.userId, kind, tx);
      limits.push({
        kind,
        daily: period.daily.toString(),
        monthly: period.monthly.toString(),
        remainingToday: (left.daily < left.monthly ? left.daily : left.monthly).toString(),
      });
    }
    const documents = await this.documents.current(tx, found.id);

    return {
      caseId: found.id,
      state: found.state,
      tier: found.tier,
      applicant: this.applicantOf(found),
      limits,
      documents: documents.map(toDocumentDto),
    };
  }
}

function toSummary(found: KycCase): KycCaseSummaryDto {
  return {
    id: found.id,
    userId: found.userId,
    state: found.state,
    tier: found.tier,
    reviewerId: found.reviewerId,
    initials:
      found.firstName && found.lastName
        ? `${found.firstName[0]}. ${found.lastName[0]}.`
        : undefined,
    country: found.country,
    updatedAt: found.updatedAt,
  };
}
