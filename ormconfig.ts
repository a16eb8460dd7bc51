import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { validateEnvironment } from './src/shared/config/app-config.js';
import { openDatabase } from './src/shared/database/data-source-options.js';

/**
 * The data source for the TypeORM CLI (`npm run typeorm -- migration:run`), built from the same
 * options the app uses. Destroying it also closes the embedded database, so the CLI exits.
 */
const here = dirname(fileURLToPath(import.meta.url));
const handle = await openDatabase(validateEnvironment());
const dataSource = new DataSource({
  ...handle.options,
  migrationsRun: false,
  entities: [join(here, 'src/modules/**/entities/*.entity.{js,ts}')],
});
const destroy = dataSource.destroy.bind(dataSource);
dataSource.destroy = async () => {
  await destroy();
  await handle.close();
};
export default dataSource;
