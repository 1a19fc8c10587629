import {
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  RequireStepUp,
  type IdempotentRequest,
} from '@bourse/platform';
import {
  CountTransfers,
  CreateTransferDto,
  CreateTransfersBatchDto,
  LedgerAdminService,
  PostTransferDto,
  TransferDto,
  TransfersBatchResultDto,
} from '@bourse/ledger';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiUnprocessableEntityResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { LedgerAdmin } from './ledger-admin.decorator';

@LedgerAdmin()
@Controller('v1/ledger/transfers')
export class LedgerTransfersController {
  constructor(private readonly ledger: LedgerAdminService) {}

  @Post()
  @RequireStepUp()
  @ApiOperation({
    summary: 'Move money: one balanced transfer.',
    description:
      'Debits one account and credits another by the same amount, in one database transaction; or, with `pending`, holds the amount until posted or voided. Safe to retry by `id`; an `Idempotency-Key` header also replays the first answer.',
  })
  @CountTransfers()
  @Idempotent()
  @ApiCreatedResponse({
    type: TransferDto,
    description:
      'The transfer, posted or pending. Sending its id again with the same fields answers it in its current state.',
  })
  @ApiNotFoundResponse({ description: '`ledger.account_not_found`: either account is unknown.' })
  @ApiConflictResponse({
    description:
      '`ledger.id_conflict`: the id is taken by a transfer with other fields; `idempotency.request_in_progress`.',
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`ledger.insufficient_funds`, `ledger.account_frozen`, `ledger.asset_mismatch`, `ledger.invalid_transfer` (e.g. both sides the same account), `ledger.balance_overflow` (a balance would pass 2^63-1 minor units), `idempotency.key_mismatch`.',
  })
  create(
    @Body() body: CreateTransferDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<TransferDto | IdempotentResponse<TransferDto>> {
    return this.ledger.transfer(body, call);
  }

  @Post('batch')
  @RequireStepUp()
  @ApiOperation({
    summary: 'Move money: up to 1000 transfers at once.',
    description:
      'Applied in order in one database transaction; `linked` members succeed or fail together.',
  })
  @HttpCode(200)
  @CountTransfers()
  @Idempotent()
  @ApiOkResponse({
    type: TransfersBatchResultDto,
    description:
      'Every transfer answered on its own, in order: refused ones do not stop the others, except within a linked chain.',
  })
  @ApiConflictResponse({ description: '`idempotency.request_in_progress`.' })
  @ApiUnprocessableEntityResponse({ description: '`idempotency.key_mismatch`.' })
  createMany(
    @Body() body: CreateTransfersBatchDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<TransfersBatchResultDto | IdempotentResponse<TransfersBatchResultDto>> {
    return this.ledger.transferMany(body, call);
  }

  @Post(':id/post')
  @ApiOperation({ summary: 'Post a pending transfer (capture a hold).' })
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({
    type: TransferDto,
    description: 'Posted (again with the same amount: answered as it is, nothing moves twice).',
  })
  @ApiNotFoundResponse({ description: '`ledger.transfer_not_found`.' })
  @ApiConflictResponse({
    description:
      '`ledger.transfer_state`: voided, posted with another amount, or not two-phase; `ledger.pending_expired`.',
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`ledger.invalid_transfer`: the amount is above the held amount; `ledger.balance_overflow`: posting it would take a balance past 2^63-1 minor units (the hold stays).',
  })
  post(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: PostTransferDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<TransferDto | IdempotentResponse<TransferDto>> {
    return this.ledger.postPending(id, body, call);
  }

  @Post(':id/void')
  @ApiOperation({ summary: 'Void a pending transfer (release a hold).' })
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({
    type: TransferDto,
    description: 'Voided, its hold released (voiding again answers it as it is).',
  })
  @ApiNotFoundResponse({ description: '`ledger.transfer_not_found`.' })
  @ApiConflictResponse({ description: '`ledger.transfer_state`: already posted.' })
  void(
    @Param('id', new ParseUUIDPipe()) id: string,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<TransferDto | IdempotentResponse<TransferDto>> {
    return this.ledger.voidPending(id, call);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One transfer.' })
  @ApiOkResponse({ type: TransferDto, description: 'The transfer in its current state.' })
  @ApiNotFoundResponse({ description: '`ledger.transfer_not_found`.' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<TransferDto> {
    return this.ledger.getTransfer(id);
  }
}
