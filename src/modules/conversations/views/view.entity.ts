import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const VIEW_VISIBILITIES = ['user', 'team', 'all'] as const;
export type ViewVisibility = (typeof VIEW_VISIBILITIES)[number];

/** A saved conversation filter: private to its owner (`user`), shared with a team, or with everyone. */
@Entity('views')
export class ViewEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  filters: Record<string, unknown>;

  @Column({ type: 'text', default: 'user' })
  visibility: ViewVisibility;

  /** The owner of a `user` view; null for shared views. */
  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId: number | null;

  @Column({ name: 'team_id', type: 'integer', nullable: true })
  teamId: number | null;
}
