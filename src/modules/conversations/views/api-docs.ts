import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';

const ERROR_ENVELOPE = {
  type: 'object',
  required: ['status', 'message', 'data', 'error_type'],
  properties: {
    status: { type: 'string', example: 'error' },
    message: { type: 'string' },
    data: { type: 'object', nullable: true },
    error_type: { type: 'string', example: 'InputException' },
  },
};

/** A 200 `{"status":"success","data":...}` whose data is `model`, a list of it, or a boolean. */
export function ApiEnvelope(model: Type<unknown> | 'boolean', options: { isArray?: boolean; description?: string } = {}) {
  const item = model === 'boolean' ? { type: 'boolean', example: true } : { $ref: getSchemaPath(model) };
  const data = options.isArray ? { type: 'array', items: item } : item;
  return applyDecorators(
    ...(model === 'boolean' ? [] : [ApiExtraModels(model)]),
    ApiOkResponse({
      description: options.description ?? 'Success',
      schema: { type: 'object', required: ['status', 'data'], properties: { status: { type: 'string', example: 'success' }, data } },
    }),
  );
}

/** The error envelope for the given status codes. */
export function ApiErrors(...codes: Array<400 | 401 | 403 | 404>) {
  const by = { 400: ApiBadRequestResponse, 401: ApiUnauthorizedResponse, 403: ApiForbiddenResponse, 404: ApiNotFoundResponse };
  return applyDecorators(...codes.map((code) => by[code]({ description: 'Error envelope', schema: ERROR_ENVELOPE })));
}
