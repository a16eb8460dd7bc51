import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../shared/auth/decorators.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../shared/openapi/envelope.js';
import { EventPageDto } from './dto/event.dto.js';
import { EventsService } from './events.service.js';

@ApiTags('Events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    operationId: 'handleGetEvents',
    summary: 'Read the event feed',
    description:
      'Events in commit order after a cursor: conversation and message events the caller may read (conversation access), ' +
      'contact events with `contacts:read`. Store `next` and pass it as `after` to resume, also after a restart. ' +
      'With `wait`, the request is held until an event arrives or the seconds run out (long polling). ' +
      'Events older than the retention period are pruned: a cursor behind the oldest retained event answers 410.',
  })
  @ApiQuery({ name: 'after', required: false, type: String, description: 'Cursor from a previous `next`; the start of the log when absent' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } })
  @ApiQuery({
    name: 'wait',
    required: false,
    schema: { type: 'integer', minimum: 0, maximum: 30, default: 0 },
    description: 'Seconds to wait for events when there are none',
  })
  @ApiEnvelopeResponse(EventPageDto)
  @ApiErrorEnvelopeResponses(400, 401, 410)
  list(@CurrentUser() user: Principal, @Query() query: Record<string, unknown>) {
    return this.events.readFeed(user, query);
  }
}
