import { Module } from '@nestjs/common';
import { EventRetention } from './event-retention.js';
import { EventSequencer } from './event-sequencer.js';
import { EventSequencerMetrics } from './event-sequencer.metrics.js';
import { EventSignal } from './event-signal.js';
import { EventsController } from './events.controller.js';
import { EventsRepository } from './events.repository.js';
import { EventsService } from './events.service.js';

/** The append-only event log other modules record state changes into, and its resumable feed. */
@Module({
  controllers: [EventsController],
  providers: [EventsService, EventsRepository, EventSignal, EventSequencer, EventSequencerMetrics, EventRetention],
  exports: [EventsService],
})
export class EventsModule {}
