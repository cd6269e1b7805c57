/**
 * drizzle-kit configuration: `npx drizzle-kit generate` reads the schema in code and writes SQL
 * migrations to `migrations/`, which the engine applies at start-up (see core/catalog/open.ts).
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './core/catalog/schema.ts',
  out: './migrations',
});
