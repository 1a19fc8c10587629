import {
  APP_CONFIG,
  Database,
  driverCodeOf,
  IdempotentRequestInProgressError,
  IdempotentResponse,
  MicroBatcher,
  storedAnswer,
  type IdempotentRequest,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { LedgerAppConfig } from './ledger.config';
import type { Transfer, TransferInput } from './ledger.types';
import { answerPosted, checkTransfer } from './transfer-answers';
import {
  TransferRepository,
  type BatchedKeyedOutcome,
  type PostKeyedOutcome,
} from './transfer.repository';

/** A transfer sent with an Idempotency-Key (POST /v1/ledger/transfers). */
interface KeyedTransfer {
  input: TransferInput;
  call: IdempotentRequest;
}

/**
 * A keyed transfer's answer: the stored response (a created transfer's, or a replay), or the
 * transfer the ledger already had under its id (no key stored).
 */
type Keyed = Transfer | IdempotentResponse<Transfer>;

/** What a keyed transfer answers, or the error it throws: settled, so batch members fail alone. */
type KeyedAnswer = { answer: Keyed } | { error: unknown };

async function answerOf(answer: () => Keyed | Promise<Keyed>): Promise<KeyedAnswer> {
  try {
    return { answer: await answer() };
  } catch (error) {
    return { error };
  }
}

/** The answer to a keyed transfer from what ledger_post_transfer_keyed did with it. */
function answerKeyed({ input, call }: KeyedTransfer, posted: PostKeyedOutcome): Keyed {
  if (posted.outcome === 'key_busy') {
    throw new IdempotentRequestInProgressError();
  }
  if (posted.outcome === 'key_used') {
    return new IdempotentResponse(storedAnswer(posted.existing, call.requestHash), true);
  }

  return posted.outcome === 'created'
    ? new IdempotentResponse(posted.response, false, posted.transfer)
    : answerPosted(input, posted);
}

/**
 * Most keyed transfers in one statement. Its members are posted one after another inside it, so
 * this bounds how long its locks are held (well under the statement timeout) and a batch's latency.
 */
const KEYED_BATCH_SIZE = 100;

/**
 * The idempotent path of one transfer (the HTTP route's): the Idempotency-Key is stored with the
 * transfer it creates, in the same statement. Its own transaction always (no `outer`).
 */
@Injectable()
export class KeyedTransfersService {
  /**
   * Keyed transfers reach Postgres through this: at most LEDGER_KEYED_TRANSFERS_IN_FLIGHT
   * statements at once, and those that arrive meanwhile are posted together when one returns.
   * Under load a batch costs a few round trips and one commit for many transfers, where each
   * alone costs its own; unloaded, each goes alone at once.
   */
  private readonly keyedTransfers: MicroBatcher<KeyedTransfer, KeyedAnswer>;

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: LedgerAppConfig,
    private readonly transfers: TransferRepository,
  ) {
    this.keyedTransfers = new MicroBatcher((items) => this.postKeyed(items), {
      maxSize: KEYED_BATCH_SIZE,
      maxInFlight: config.ledger.keyedTransfersInFlight,
    });
  }

  /**
   * TransfersService.transfer for an HTTP call carrying an Idempotency-Key: the key is stored with
   * the transfer it creates, in the same statement and transaction (shared, under load, with the
   * keyed transfers queued beside it: `keyedTransfers`). A key already stored answers with its
   * stored response (or 422 for another body); a key in use by a call still running is a 409.
   * Another call's key is never consulted: the key is the caller's, the id the ledger's.
   */
  async transferKeyed(input: TransferInput, call: IdempotentRequest): Promise<Keyed> {
    checkTransfer(input);
    const answer = await this.keyedTransfers.run({ input, call });
    if ('error' in answer) {
      throw answer.error;
    }

    return answer.answer;
  }

  /**
   * The keyed transfers queued while others were in flight (see `keyedTransfers`): one goes
   * alone; more go in one statement (ledger_post_transfers_keyed), each answered as if it had come
   * alone. Posted alone once it returns, as if they had come just later: a member repeating an
   * earlier one's transfer id or key, and those the statement left out (they touch a hot account).
   * If the statement deadlocks, every member is posted alone (other failures: see MicroBatcher).
   */
  private async postKeyed(items: KeyedTransfer[]): Promise<KeyedAnswer[]> {
    if (items.length === 1) {
      return [await answerOf(() => this.postKeyedAlone(items[0]!))];
    }
    const seen = new Set<string>();
    const batch: number[] = [];
    const alone: number[] = [];
    items.forEach(({ input, call }, i) => {
      const ids = [`id ${input.id}`, `key ${call.scope}\n${call.key}`];
      if (ids.some((id) => seen.has(id))) {
        alone.push(i);
      } else {
        ids.forEach((id) => seen.add(id));
        batch.push(i);
      }
    });
    const answers: KeyedAnswer[] = [];
    let outcomes: BatchedKeyedOutcome[];
    try {
      outcomes = await this.transfers.postKeyedMany(
        this.db.manager,
        batch.map((i) => items[i]!),
        this.config.idempotency.ttlHours,
      );
    } catch (error) {
      if (driverCodeOf(error) !== '40P01') {
        throw error;
      }
      outcomes = batch.map(() => ({ outcome: 'alone' }));
    }
    for (const [j, outcome] of outcomes.entries()) {
      const i = batch[j]!;
      if (outcome.outcome === 'alone') {
        alone.push(i);
      } else {
        answers[i] = await answerOf(() => answerKeyed(items[i]!, outcome));
      }
    }
    await Promise.all(
      alone.map(async (i) => (answers[i] = await answerOf(() => this.postKeyedAlone(items[i]!)))),
    );

    return answers;
  }

  private async postKeyedAlone(item: KeyedTransfer): Promise<Keyed> {
    return answerKeyed(
      item,
      await this.transfers.postKeyed(
        this.db.manager,
        item.input,
        item.call,
        this.config.idempotency.ttlHours,
      ),
    );
  }
}
