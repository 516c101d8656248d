/**
 * The settings of the production features (response compression, trusted documents, the fast
 * path for repeated documents), read from
 * the environment like src/server/config.ts's and with its helpers; kept apart so that each file
 * stays about one thing. OpenTelemetry reads its own standard `OTEL_*` variables
 * (src/server/tracing.ts).
 */
import { ConfigError, read, readInteger } from '../rest/config.ts';
import { type CompressionOptions, DEFAULT_COMPRESSION } from './compression.ts';
import { readBoolean, readChoice } from './config.ts';

export type TrustedDocumentsMode = 'off' | 'allow' | 'only';

export interface ProductionConfig {
  /** false: every answer goes out uncompressed (`COMPRESSION=off`, e.g. behind a compressing proxy). */
  readonly compression: CompressionOptions | false;
  /**
   * Repeated documents answered from node:http in front of Yoga (src/server/fast-path.ts); on by
   * default (also when unset here), `FAST_PATH=off` sends every request through Yoga.
   */
  readonly fastPath?: boolean;
  /**
   * On the fast path, a query without directives answered by a program
   * compiled for it (src/schema/direct.ts) instead of the executor; on by default (also when unset
   * here), `DIRECT_ANSWERS=off` executes every document.
   */
  readonly directAnswers?: boolean;
  readonly trustedDocuments: {
    /**
     * `off`: documents are sent as text; `allow`: a document id from the manifest, or text;
     * `only`: a document id from the manifest, nothing else (browser-facing deployments).
     */
    readonly mode: TrustedDocumentsMode;
    /** Path of the manifest (`{ "<id>": "<document>" }`), required unless `off`. */
    readonly manifest: string | undefined;
  };
}

export function readProductionConfig(env: NodeJS.ProcessEnv): ProductionConfig {
  const compression = readBoolean(env, 'COMPRESSION', true)
    ? {
        ...DEFAULT_COMPRESSION,
        thresholdBytes: readInteger(
          env,
          'COMPRESSION_MIN_BYTES',
          0,
          100 * 1024 * 1024,
          DEFAULT_COMPRESSION.thresholdBytes,
        ),
      }
    : false;
  const mode = readChoice(env, 'TRUSTED_DOCUMENTS', ['off', 'allow', 'only'] as const, 'off');
  const manifest = read(env, 'TRUSTED_DOCUMENTS_MANIFEST');
  if (mode !== 'off' && manifest === undefined) {
    throw new ConfigError(
      'TRUSTED_DOCUMENTS_MANIFEST',
      `TRUSTED_DOCUMENTS=${mode} needs TRUSTED_DOCUMENTS_MANIFEST, the path of the manifest that graphql-codegen's client preset (persisted-documents.json) or the Relay compiler (persisted_queries.json) writes`,
    );
  }
  return {
    compression,
    fastPath: readBoolean(env, 'FAST_PATH', true),
    directAnswers: readBoolean(env, 'DIRECT_ANSWERS', true),
    trustedDocuments: { mode, manifest },
  };
}
