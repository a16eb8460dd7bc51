import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A rewrite instruction an agent can apply to a draft reply (`make_friendly`, ...). */
@Entity('ai_prompts')
@Unique('ai_prompts_key_key', ['key'])
export class AiPromptEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'ai_prompts_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text' })
  content: string;
}
