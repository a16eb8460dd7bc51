import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { contractOperations, HTTP_METHODS, loadContract, OpenApiDocument } from './contract.js';
import { applyExtension, CONDITIONAL_GET, takeExtensions } from './extensions.js';

/**
 * Builds the served OpenAPI document. Routes are discovered from the controllers; an operation whose
 * operationId is in the Libredesk contract is documented exactly as the contract documents it (after
 * checking that it is served at the contract's method and path), so the document cannot drift from
 * the contract. Operations beyond the contract (inboxes, views, ...) keep their decorator-generated
 * documentation. Public operations carry an empty security list. Features beyond the contract on its
 * operations (cursors, conditional requests) are added to their documentation, never replacing any of
 * it (extensions.ts).
 */
export function buildOpenApiDocument(app: INestApplication): OpenApiDocument {
  const contract = loadContract();
  const byId = contractOperations(contract);
  const generated = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(String(contract.info.title))
      .setVersion(typeof contract.info.version === 'string' ? contract.info.version : '1.0.0')
      .addBasicAuth(undefined, 'basicAuth')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization' }, 'tokenAuth')
      .build(),
  ) as unknown as OpenApiDocument;

  const schemas = { ...(generated.components.schemas ?? {}), ...(contract.components.schemas ?? {}) };
  const served = { ...contract, components: { ...contract.components, schemas } };
  const paths: OpenApiDocument['paths'] = {};
  const extensionTags = new Set<string>();
  for (const [path, item] of Object.entries(generated.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const extensions = takeExtensions(op);
      if (method === 'get' && path.startsWith('/api/')) extensions.push(CONDITIONAL_GET);
      const known = op.operationId ? byId.get(op.operationId) : undefined;
      let documented = op;
      if (known) {
        if (known.path !== path || known.method !== method) {
          throw new Error(`${op.operationId} is served at ${method.toUpperCase()} ${path}, but the contract has ${known.method.toUpperCase()} ${known.path}`);
        }
        documented = known.op;
      } else {
        for (const tag of op.tags ?? []) extensionTags.add(tag);
      }
      for (const extension of extensions) documented = applyExtension(documented, extension, served, `${method.toUpperCase()} ${path}`);
      const isPublic = Array.isArray(op.security) && op.security.every((s) => Object.keys(s).length === 0);
      (paths[path] ??= {})[method] = isPublic ? { ...documented, security: [] } : documented;
    }
  }

  const contractTags = contract.tags ?? [];
  const tags = [...contractTags, ...[...extensionTags].filter((t) => !contractTags.some((c) => c.name === t)).map((name) => ({ name }))];
  return {
    openapi: contract.openapi,
    info: contract.info,
    // Relative, so "Try it out" calls the server that served the page, wherever it is deployed.
    servers: [{ url: '/' }],
    security: contract.security,
    tags,
    paths,
    components: {
      ...generated.components,
      schemas,
      securitySchemes: contract.components.securitySchemes,
    },
  };
}

export function setupSwagger(app: INestApplication): OpenApiDocument {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document as never, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Libredesk API',
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}
