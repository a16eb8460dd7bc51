#!/usr/bin/env bash
# Schema drift check through the TypeORM CLI (`npm run db:drift`): runs the migrations on the database
# DATABASE_URL names (use a fresh one), then asks TypeORM for the migration it would generate from the
# entities. Prints the statements and exits 1 when that migration is not empty.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then
  echo "db:drift needs DATABASE_URL naming a fresh PostgreSQL database" >&2
  exit 2
fi
npm run build --silent
npx typeorm -d dist/ormconfig.js migration:run
npx typeorm -d dist/ormconfig.js migration:generate --check src/shared/database/migrations/SchemaDrift
