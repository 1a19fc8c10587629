import {
  APP_CONFIG,
  authorize,
  AuthService,
  QueueRegistry,
  sendProblem,
  toProblem,
  type AppConfig,
} from '@bourse/platform';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** Where Bull Board's page and its JSON API live on the api (outside /v1: not a public API). */
export const QUEUE_BOARD_PATH = '/admin/queues';

/** Names of the queues shown by /v1/admin/queues and the board. */
export const ADMIN_QUEUES = Symbol('ADMIN_QUEUES');

/**
 * Bull Board on the api when QUEUE_BOARD allows it (`auto`: not in production): read-only (no
 * retry, clean or promote), and every request, assets included, needs an admin's
 * `Authorization` header, since its routes are Fastify's own and no Nest guard sees them. A
 * browser reaches it through a proxy that adds the header (see docs/operations.md).
 */
@Injectable()
export class QueueBoard implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ADMIN_QUEUES) private readonly names: string[],
    private readonly queues: QueueRegistry,
    private readonly auth: AuthService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    if (!this.config.queueBoard) {
      return;
    }
    const board = new BoardAdapter();
    board.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: this.names.map(
        (name) => new BullAdapter(this.queues.get(name), { readOnlyMode: true }),
      ),
      // @bull-board/fastify pins its own patch of @bull-board/api: same shape, distinct types.
      serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'Bourse queues' } },
    });
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        try {
          const { authorization } = request.headers;
          const principal =
            authorization === undefined ? undefined : await this.auth.authenticate(authorization);
          authorize(principal, { isPublic: false, roles: ['admin'] });
        } catch (error) {
          sendProblem(reply, request, toProblem(error));

          return reply;
        }
      });
      await scope.register(board.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
    });
  }
}
