import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './src/entities.js';
import { validateEnvironment } from './src/shared/config/app-config.js';
import { acceptExtraColumnTypes } from './src/shared/database/column-types.js';
import { openDatabase } from './src/shared/database/data-source-options.js';
import { RedactedQueryLogger } from './src/shared/database/redacted-query-logger.js';

/**
 * The data source for the TypeORM CLI (`npm run typeorm -- migration:run`), built from the same
 * options and entity list the app uses. Destroying it also closes the embedded database, so the CLI exits.
 */
const handle = await openDatabase(validateEnvironment(), { entities: ENTITIES });
const dataSource = new DataSource({
  ...handle.options,
  migrationsRun: false,
  logger: new RedactedQueryLogger((line) => process.stdout.write(`${line}\n`)),
});
acceptExtraColumnTypes(dataSource);
const destroy = dataSource.destroy.bind(dataSource);
dataSource.destroy = async () => {
  await destroy();
  await handle.close();
};
export default dataSource;
