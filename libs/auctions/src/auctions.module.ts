import { LedgerModule } from '@bourse/ledger';
import { NotificationsModule } from '@bourse/notifications';
import { requireConfigSection } from '@bourse/platform';
import { StorageModule } from '@bourse/storage';
import { Module } from '@nestjs/common';
import { AuctionClosingService } from './auction-closing.service';
import { AuctionFunds } from './auction-funds';
import { AUCTION_IMAGE } from './auction-image';
import { AuctionSchedule } from './auction-schedule';
import { AuctionRepository } from './auction.repository';
import { AUCTIONS_CONFIG } from './auctions.config';
import { AuctionsService } from './auctions.service';
import { BidsService } from './bids.service';

/**
 * Live auctions. Needs what the platform provides globally (Database, APP_CONFIG composing
 * AUCTIONS_CONFIG, the outbox, SocketEmitter, idempotency); holds and settlement through the
 * ledger, pushes through notifications, galleries through storage (`auction.image`).
 */
@Module({
  imports: [LedgerModule, NotificationsModule, StorageModule.forPurposes([AUCTION_IMAGE])],
  providers: [
    requireConfigSection(AUCTIONS_CONFIG),
    AuctionRepository,
    AuctionFunds,
    AuctionSchedule,
    AuctionsService,
    BidsService,
    AuctionClosingService,
  ],
  exports: [AuctionsService, BidsService, AuctionClosingService],
})
export class AuctionsModule {}
