#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded offline.
# `prisma generate`, `validate` and `format` only ask it for its version. Anything else must
# fail loudly: migrations run through the WASM engine (npm run db:migrate), never through this.
if [ "$1" = "--version" ]; then
  echo "schema-engine-cli 0edf323efd1d98336f3f0a68684b56f689b900d3"
  exit 0
fi
echo "schema-engine stub: '$*' needs the real engine; use npm run db:migrate / db:migrate:create" >&2
exit 1
