import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { KycState } from './kyc.states';
import type { KycTier, LimitKind } from './kyc.tiers';
import type { KycCase, KycEvent } from './kyc.types';

interface CaseRow {
  id: string;
  user_id: string;
  state: KycState;
  tier: KycTier;
  reviewer_id: string | null;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
  national_id: string | null;
  national_id_fp: string | null;
  birth_date: string | null;
  vendor_applicant_id: string | null;
  retain_until: Date | null;
  erased_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toCase = (r: CaseRow): KycCase => ({
  id: r.id,
  userId: r.user_id,
  state: r.state,
  tier: r.tier,
  reviewerId: r.reviewer_id ?? undefined,
  firstName: r.first_name ?? undefined,
  lastName: r.last_name ?? undefined,
  country: r.country ?? undefined,
  nationalId: r.national_id ?? undefined,
  nationalIdFingerprint: r.national_id_fp ?? undefined,
  birthDate: r.birth_date ?? undefined,
  vendorApplicantId: r.vendor_applicant_id ?? undefined,
  retainUntil: r.retain_until ?? undefined,
  erasedAt: r.erased_at ?? undefined,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

@Injectable()
export class KycRepository {
  /** The user's case, created `not_started` on first use, locked for the caller's change. */
  async lockByUser(tx: Tx, userId: string, newId: string): Promise<KycCase> {
    await rows(
      tx,
      `INSERT INTO kyc_cases (id, user_id, state) VALUES ($1, $2, 'not_started')
       ON CONFLICT (user_id) DO NOTHING`,
      [newId, userId],
    );
    const [row] = await rows<CaseRow>(tx, `SELECT * FROM kyc_cases WHERE user_id = $1 FOR UPDATE`, [
      userId,
    ]);

    return toCase(row!);
  }

  /** The user's case, locked, if they have one (a vendor's event never opens a case). */
  async lockUser(tx: Tx, userId: string): Promise<KycCase | undefined> {
    const [row] = await rows<CaseRow>(
      tx,
      `SELECT * FROM kyc_cases WHERE user_id::text = $1 FOR UPDATE`,
      [userId],
    );

    return row && toCase(row);
  }

  async lock(tx: Tx, caseId: string): Promise<KycCase | undefined> {
    const [row] = await rows<CaseRow>(tx, `SELECT * FROM kyc_cases WHERE id = $1 FOR UPDATE`, [
      caseId,
    ]);

    return row && toCase(row);
  }

  async find(tx: Tx, caseId: string): Promise<KycCase | undefined> {
    const [row] = await rows<CaseRow>(tx, `SELECT * FROM kyc_cases WHERE id = $1`, [caseId]);

    return row && toCase(row);
  }

  async findByUser(tx: Tx, userId: string): Promise<KycCase | undefined> {
    const [row] = await rows<CaseRow>(tx, `SELECT * FROM kyc_cases WHERE user_id = $1`, [userId]);

    return row && toCase(row);
  }

  async tierOf(tx: Tx, userId: string): Promise<KycTier> {
    const [row] = await rows<{ tier: KycTier }>(
      tx,
      `SELECT tier FROM kyc_cases WHERE user_id = $1`,
      [userId],
    );

    return row?.tier ?? 'none';
  }

  async update(
    tx: Tx,
    caseId: string,
    fields: Partial<
      Pick<
        KycCase,
        | 'state'
        | 'tier'
        | 'firstName'
        | 'lastName'
        | 'country'
        | 'nationalId'
        | 'nationalIdFingerprint'
        | 'birthDate'
        | 'vendorApplicantId'
      > & { reviewerId: string | null; retainUntil: Date | null }
    >,
  ): Promise<KycCase> {
    const columns: Record<string, string> = {
      state: 'state',
      tier: 'tier',
      reviewerId: 'reviewer_id',
      firstName: 'first_name',
      lastName: 'last_name',
      country: 'country',
      nationalId: 'national_id',
      nationalIdFingerprint: 'national_id_fp',
      birthDate: 'birth_date',
      vendorApplicantId: 'vendor_applicant_id',
      retainUntil: 'retain_until',
    };
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    const sets = entries.map(([k], i) => `${columns[k]} = $${i + 2}`);
    const [row] = await rows<CaseRow>(
      tx,
      `UPDATE kyc_cases SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING *`,
      [caseId, ...entries.map(([, v]) => v)],
    );

    return toCase(row!);
  }

  async appendEvent(tx: Tx, caseId: string, event: Omit<KycEvent, 'id' | 'at'>): Promise<void> {
    await rows(
      tx,
      `INSERT INTO kyc_events (case_id, from_state, to_state, tier, actor, reason_code, payload_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        caseId,
        event.fromState,
        event.toState,
        event.tier,
        event.actor,
        event.reasonCode ?? null,
        event.payloadHash ?? null,
      ],
    );
  }

  async events(tx: Tx, caseId: string): Promise<KycEvent[]> {
    const found = await rows<{
      id: string;
      from_state: KycState;
      to_state: KycState;
      tier: KycTier;
      actor: string;
      reason_code: string | null;
      payload_hash: string | null;
      at: Date;
    }>(tx, `SELECT * FROM kyc_events WHERE case_id = $1 ORDER BY id`, [caseId]);

    return found.map((r) => ({
      id: r.id,
      fromState: r.from_state,
      toState: r.to_state,
      tier: r.tier,
      actor: r.actor,
      reasonCode: r.reason_code ?? undefined,
      payloadHash: r.payload_hash ?? undefined,
      at: r.at,
    }));
  }

  /** Cases in the given states, oldest change first (the review queue), keyset on (updated_at, id). */
  async queue(tx: Tx, states: readonly KycState[], limit: number): Promise<KycCase[]> {
    const found = await rows<CaseRow>(
      tx,
      `SELECT * FROM kyc_cases WHERE state = ANY($1) ORDER BY updated_at, id LIMIT $2`,
      [states, limit],
    );

    return found.map(toCase);
  }

  /** Up to `limit` cases past their retention date whose PII is not erased yet, locked. */
  async lockErasable(tx: Tx, limit: number): Promise<KycCase[]> {
    const found = await rows<CaseRow>(
      tx,
      `SELECT * FROM kyc_cases
        WHERE erased_at IS NULL AND retain_until IS NOT NULL AND retain_until <= now()
        ORDER BY retain_until LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );

    return found.map(toCase);
  }

  /** Redacts the PII of a case; the national id's fingerprint, the state and events stay. */
  async erase(tx: Tx, caseId: string): Promise<void> {
    await rows(
      tx,
      `UPDATE kyc_cases
          SET first_name = NULL, last_name = NULL, national_id = NULL, birth_date = NULL,
              erased_at = now(), updated_at = now()
        WHERE id = $1`,
      [caseId],
    );
  }

  /**
   * Up to `limit` cases with a ciphertext sealed under another key than `keyId`, locked; the
   * caller re-seals them.
   */
  async lockSealedUnder(tx: Tx, keyId: string, limit: number): Promise<KycCase[]> {
    const found = await rows<CaseRow>(
      tx,
      `SELECT * FROM kyc_cases
        WHERE (national_id IS NOT NULL AND split_part(national_id, '.', 1) <> $1)
           OR (birth_date IS NOT NULL AND split_part(birth_date, '.', 1) <> $1)
        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [keyId, limit],
    );

    return found.map(toCase);
  }

  /**
   * Adds `amount` to the user's use of a limit today (UTC) and answers the day's and the month's
   * totals after it. The day's row stays locked until the caller commits, so concurrent uses of
   * one kind queue and each sees the others'.
   */
  async addUsage(
    tx: Tx,
    userId: string,
    kind: LimitKind,
    amount: bigint,
  ): Promise<{ daily: bigint; monthly: bigint }> {
    await rows(
      tx,
      `INSERT INTO kyc_usage (user_id, kind, day, amount)
       VALUES ($1, $2, (now() AT TIME ZONE 'UTC')::date, $3)
       ON CONFLICT (user_id, kind, day) DO UPDATE SET amount = kyc_usage.amount + EXCLUDED.amount`,
      [userId, kind, amount.toString()],
    );

    return this.usage(tx, userId, kind);
  }

  async usage(
    tx: Tx,
    userId: string,
    kind: LimitKind,
  ): Promise<{ daily: bigint; monthly: bigint }> {
    const [row] = await rows<{ daily: string; monthly: string }>(
      tx,
      `SELECT coalesce(sum(amount) FILTER (WHERE day = (now() AT TIME ZONE 'UTC')::date), 0) AS daily,
              coalesce(sum(amount), 0) AS monthly
         FROM kyc_usage
        WHERE user_id = $1 AND kind = $2
          AND day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date`,
      [userId, kind],
    );

    return { daily: BigInt(row!.daily), monthly: BigInt(row!.monthly) };
  }
}
