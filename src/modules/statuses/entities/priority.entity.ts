import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A conversation priority (Low, Medium, High, Urgent). */
@Entity('conversation_priorities')
@Unique('conversation_priorities_name_key', ['name'])
export class PriorityEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'conversation_priorities_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;
}
