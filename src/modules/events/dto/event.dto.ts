import { ApiProperty } from '@nestjs/swagger';
import { EVENT_TYPES, type EventType } from '../event-types.js';

/** Documentation of `toFeedEvent` (events.mapper.ts). */
export class EventDto {
  @ApiProperty({ example: 1042, description: 'Unique, increasing in the order events were committed' })
  id: number;

  @ApiProperty({ enum: EVENT_TYPES, example: 'conversation.status_changed' })
  type: EventType;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The changed resource in the contract shape (a conversation, message or contact), plus change details',
    example: { conversation_uuid: '5f0c…', previous_status: 'Open', status: 'Resolved' },
  })
  payload: Record<string, unknown>;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto], description: 'Oldest first; empty when nothing new arrived (before `wait` ran out)' })
  events: EventDto[];

  @ApiProperty({ example: 'ZXYxOjEwNDI', description: 'Opaque cursor to pass as `after` in the next request' })
  next: string;
}
