import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';

type Payload = Type<unknown> | 'boolean';

const dataSchema = (model: Payload, isArray: boolean) => {
  const item = model === 'boolean' ? { type: 'boolean', example: true } : { $ref: getSchemaPath(model) };
  return isArray ? { type: 'array', items: item } : item;
};

/**
 * Documents a 200 answered with the success envelope `{"status":"success","data":...}` around a DTO
 * (or a list of them, or `true`), for operations beyond the Libredesk contract.
 */
export function ApiEnvelopeResponse(model: Payload, options: { isArray?: boolean; description?: string } = {}) {
  return applyDecorators(
    ...(model === 'boolean' ? [] : [ApiExtraModels(model)]),
    ApiResponse({
      status: 200,
      description: options.description ?? 'Success',
      schema: {
        type: 'object',
        required: ['status', 'data'],
        properties: { status: { type: 'string', enum: ['success'] }, data: dataSchema(model, options.isArray ?? false) },
      },
    }),
  );
}

const ERROR_TYPES: Record<number, { type: string; description: string }> = {
  400: { type: 'InputException', description: 'Invalid input' },
  401: { type: 'UnauthorizedException', description: 'Missing or invalid credentials' },
  403: { type: 'PermissionException', description: 'Permission denied' },
  404: { type: 'NotFoundException', description: 'Not found' },
  409: { type: 'ConflictException', description: 'Conflict' },
  410: { type: 'InputException', description: 'Gone for good (e.g. pruned): start over' },
  413: { type: 'PayloadTooLargeException', description: 'Payload too large' },
};

/** Documents error answers in the error envelope `{"status":"error","message","data","error_type"}`. */
export function ApiErrorEnvelopeResponses(...statuses: Array<keyof typeof ERROR_TYPES>) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_TYPES[status].description,
        schema: {
          type: 'object',
          required: ['status', 'message', 'data', 'error_type'],
          properties: {
            status: { type: 'string', enum: ['error'] },
            message: { type: 'string' },
            data: { type: 'object', nullable: true, example: status === 400 ? { fields: { name: 'name must not be empty' } } : null },
            error_type: { type: 'string', enum: [ERROR_TYPES[status].type] },
          },
        },
      }),
    ),
  );
}
