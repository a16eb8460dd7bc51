import 'reflect-metadata';
import { IsInt, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { AICompletionDto } from '../../src/modules/ai/dto/ai-request.dto.js';
import { CreateConversationDto } from '../../src/modules/conversations/dto/create-conversation.dto.js';
import { TagsDto } from '../../src/modules/conversations/dto/conversation-update.dto.js';
import { InboxCreateRequest } from '../../src/modules/inboxes/dto/inbox-request.dto.js';
import { StatusRequestDto } from '../../src/modules/statuses/dto/status-request.dto.js';
import { CreateTeamDto } from '../../src/modules/teams/dto/team-request.dto.js';
import { AppValidationPipe } from '../../src/shared/http/validation.js';
import { Nullable, Omittable } from '../../src/shared/http/validators.js';

class Sample {
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(3, { message: 'name is too long' })
  name: string;

  @Omittable()
  @IsInt()
  count?: number;

  @Nullable()
  @IsInt()
  team_id?: number | null;
}

const pipe = new AppValidationPipe();
const body = (metatype: new () => unknown, value: unknown) => pipe.transform(value, { type: 'body', metatype });
const fields = async (metatype: new () => unknown, value: unknown) => {
  try {
    await body(metatype, value);
  } catch (e) {
    return (e as { data: { fields: Record<string, string> } }).data.fields;
  }
  throw new Error('expected a 400');
};

describe('validation messages: the first failing rule in declaration order', () => {
  test('missing, then type, then emptiness, then length', async () => {
    expect(await fields(Sample, {})).toEqual({ name: 'name is required' });
    expect(await fields(Sample, { name: {} })).toEqual({ name: 'name must be a string' });
    expect(await fields(Sample, { name: '' })).toEqual({ name: 'name must not be empty' });
    expect(await fields(Sample, { name: 'long' })).toEqual({ name: 'name is too long' });
  });

  test('the examples from issue 14', async () => {
    expect(await fields(StatusRequestDto, {})).toEqual({ name: 'name is required' });
    expect(await fields(StatusRequestDto, { name: 7 })).toEqual({ name: 'name must be a string' });
    expect(await fields(StatusRequestDto, { name: 'x'.repeat(26) })).toEqual({ name: 'Status is too long, should be at most 25 characters' });
    expect(await fields(CreateTeamDto, {})).toEqual({ name: 'name is required' });
    expect((await fields(AICompletionDto, { prompt_key: 'k', content: {} })).content).toBe('content must be a string');
  });

  test('a required field that is missing is reported as required (subject of a new conversation)', async () => {
    const ok = { inbox_id: 1, contact_email: 'a@b.c', first_name: 'A', last_name: 'B', content: 'hi', initiator: 'agent' };
    expect(await fields(CreateConversationDto, ok)).toEqual({ subject: 'subject is required' });
    await expect(body(CreateConversationDto, { ...ok, subject: '' })).resolves.toMatchObject({ subject: '' });
  });
});

describe('null: refused unless the field is nullable', () => {
  test('omitted is fine, null on a non-nullable field names the field', async () => {
    await expect(body(Sample, { name: 'ok' })).resolves.toEqual({ name: 'ok' });
    expect(await fields(Sample, { name: 'ok', count: null })).toEqual({ count: 'count must not be null' });
    expect(await fields(Sample, { name: null })).toEqual({ name: 'name must not be null' });
  });

  test('a nullable field takes null', async () => {
    await expect(body(Sample, { name: 'ok', team_id: null })).resolves.toEqual({ name: 'ok', team_id: null });
    expect(await fields(Sample, { name: 'ok', team_id: 'x' })).toEqual({ team_id: 'team_id must be an integer number' });
  });

  test('nested and list fields', async () => {
    const inbox = { name: 'Support', from: 'support@example.com' };
    expect(await fields(InboxCreateRequest, { ...inbox, smtp: { host: 'smtp.example.com', password: null } })).toEqual({
      'smtp.password': 'smtp.password must not be null',
    });
    expect(await fields(InboxCreateRequest, { ...inbox, smtp: null })).toEqual({ smtp: 'smtp must not be null' });
    expect(await fields(TagsDto, { tags: null })).toEqual({ tags: 'tags must not be null' });
    expect((await fields(TagsDto, { tags: ['a', null] })).tags).toMatch(/tags/);
  });

  test('a JSON null body is refused like an array; no body reads as {}', async () => {
    await expect(body(Sample, null)).rejects.toMatchObject({ status: 400, message: 'Request body must be a JSON object' });
    await expect(body(Sample, [])).rejects.toMatchObject({ status: 400, message: 'Request body must be a JSON object' });
    expect(await fields(Sample, undefined)).toEqual({ name: 'name is required' });
  });
});
