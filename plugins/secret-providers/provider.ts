/**
 * A secret provider: where eks-overlay's inline mode reads secret values from. One implementation per file
 * (aws-secrets-manager.ts); the CMP imports them lazily, only when `secrets.mode: inline` asks for values.
 *
 * Providers never log and never put a value in an error: failures come back per request as a code and a
 * service message (which names the secret and the identity, never the value).
 */

/** Which version: AWSCURRENT unless pinned to a staging label or a version id. */
export type SecretVersion =
  | { readonly kind: 'current' }
  | { readonly kind: 'stage'; readonly stage: string }
  | { readonly kind: 'id'; readonly versionId: string };

export interface SecretRequest {
  /** A name or an ARN (full, or partial without the random suffix). */
  readonly secretId: string;
  readonly version: SecretVersion;
}

export type SecretPayload =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'binary'; readonly bytes: Uint8Array };

export type FetchResult =
  | { readonly ok: true; readonly payload: SecretPayload }
  | {
      readonly ok: false;
      /** AWS error name (ResourceNotFoundException, AccessDeniedException, ThrottlingException, TimeoutError, ...). */
      readonly code: string;
      readonly message: string;
    };

export interface SecretProvider {
  readonly name: string;
  /**
   * Fetches every request (deduplicated by the caller) and answers each one, in the same order. Never rejects
   * for a service failure: those become `{ok: false}` results, so the caller can name every affected reference.
   */
  fetchAll(requests: readonly SecretRequest[], signal: AbortSignal): Promise<FetchResult[]>;
  /** Releases sockets. */
  close(): void;
}
