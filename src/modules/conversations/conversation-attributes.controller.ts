import { Body, Controller, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../../shared/auth/decorators.js';
import type { Principal } from '../../shared/auth/principal.js';
import { UuidParam } from '../../shared/http/params.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../shared/openapi/envelope.js';
import { ConversationAttributes } from './conversation-attributes.service.js';

const VALUES_BODY = {
  type: 'object' as const,
  additionalProperties: true,
  description:
    'Keys of defined custom attributes mapped to values: text (string, matching the pattern), number, checkbox (boolean), ' +
    'date (ISO 8601), link (http(s) URL), list (one of its values). An unknown key or a wrong value is a 400 naming the key.',
  example: { crm_id: 'AB-123', priority_score: 7 },
};

/** Custom attribute values, as Libredesk's routes (any agent with access to the conversation). */
@ApiTags('Conversations')
@Controller('api/v1/conversations/:uuid')
export class ConversationAttributesController {
  constructor(private readonly attributes: ConversationAttributes) {}

  @Put('custom-attributes')
  @Authenticated()
  @ApiOperation({
    operationId: 'handleUpdateConversationCustomAttributes',
    summary: "Replace the conversation's custom attributes",
    description: 'Records `conversation.updated` when the values change; `null` leaves a key out.',
  })
  @ApiBody({ schema: VALUES_BODY })
  @ApiEnvelopeResponse('boolean')
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  replace(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() body: Record<string, unknown>) {
    return this.attributes.replaceConversation(user, uuid, body);
  }

  @Put('contacts/custom-attributes')
  @Authenticated()
  @ApiOperation({
    operationId: 'handleUpdateContactCustomAttributes',
    summary: "Merge into the conversation's contact's custom attributes",
    description: 'Keys left out are kept and `null` removes a key. Records `contact.updated` when the values change.',
  })
  @ApiBody({ schema: { ...VALUES_BODY, example: { plan: 'gold', vip: true, old_key: null } } })
  @ApiEnvelopeResponse('boolean')
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  merge(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() body: Record<string, unknown>) {
    return this.attributes.mergeContact(user, uuid, body);
  }
}
