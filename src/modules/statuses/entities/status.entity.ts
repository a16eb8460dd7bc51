import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export const STATUS_CATEGORIES = ['open', 'waiting', 'resolved'] as const;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

/** A conversation status (Open, Snoozed, Resolved, ... and custom ones), in one of three categories. */
@Entity('conversation_statuses')
@Unique('conversation_statuses_name_key', ['name'])
@Check('conversation_statuses_category_check', `category IN ('open', 'waiting', 'resolved')`)
export class StatusEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'conversation_statuses_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: 'open' })
  category: StatusCategory;
}
