import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The one-row counter behind event ids: `events_number_committed()` locks it, numbers the committed
 * events above `last_id` and moves it (migration EventSequencer1765000000000).
 */
@Entity('event_sequence')
@Check('event_sequence_singleton_check', 'singleton')
export class EventSequenceEntity {
  @PrimaryColumn({ type: 'boolean', default: true, primaryKeyConstraintName: 'event_sequence_pkey' })
  singleton: boolean;

  @Column({ name: 'last_id', type: 'bigint' })
  lastId: string;
}
