#!/bin/sh
# The production image's steps, in one place: the Dockerfile runs them (one RUN per stage) and
# test/net/image.test.ts runs the same commands in a temporary folder, then starts the result.
#
#   sh scripts/image-steps.sh build              in a copy of the repository (no node_modules):
#                                                every dependency, then prepare's codegen and
#                                                build into dist/
#   sh scripts/image-steps.sh runtime FROM TO    copies what runs (package files, scripts/, dist/,
#                                                LICENSE, CHANGELOG.md) from the build tree FROM to
#                                                TO and installs the production dependencies only
set -eu

case "${1:-}" in
  build)
    npm ci --no-audit --no-fund
    ;;
  runtime)
    from="${2:?usage: image-steps.sh runtime FROM TO}"
    to="${3:?usage: image-steps.sh runtime FROM TO}"
    mkdir -p "$to"
    cp "$from/package.json" "$from/package-lock.json" "$to/"
    for optional in LICENSE CHANGELOG.md; do
      if [ -f "$from/$optional" ]; then cp "$from/$optional" "$to/"; fi
    done
    cp -R "$from/scripts" "$from/dist" "$to/"
    cd "$to"
    # prepare finds no devDependencies and keeps the dist/ copied above (scripts/prepare.mjs).
    npm ci --omit=dev --no-audit --no-fund
    ;;
  *)
    echo "usage: image-steps.sh build | runtime FROM TO" >&2
    exit 2
    ;;
esac
