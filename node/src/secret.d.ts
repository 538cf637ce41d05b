/**
 * A decrypted secret. `console.log`, `util.inspect`, `JSON.stringify` and `toString()` never
 * show its value; only the `value` getter returns it.
 */
export declare class Secret {
  private constructor();
  get id(): string;
  get key(): string;
  /** The plaintext value (the caller's active personal override, if any). */
  get value(): string;
  get comment(): string;
  get path(): string;
  /** A copy: changing it does not change the secret. */
  get tags(): Array<string>;
  /** Whether `value` is the caller's personal override rather than the shared value. */
  get overridden(): boolean;
  /** `secret`, `sealed` or `config`. */
  get type(): string;
  get lifecycle(): string;
  /** The app's name. */
  get app(): string;
  /** The environment's name. */
  get env(): string;
  get version(): number | null;
  get isDynamic(): boolean;
  get dynamicGroup(): string | null;
  get leaseId(): string | null;
  /** When the lease of a dynamic secret ends (ISO 8601). */
  get leaseExpiresAt(): string | null;
  /** When the secret was created, as the server writes it (ISO 8601). */
  get createdAt(): string | null;
  /** When the secret last changed, as the server writes it (ISO 8601). */
  get updatedAt(): string | null;
  /** `Secret(key=..., path=..., app=..., env=..., value=<redacted>)`. */
  toString(): string;
  /** Everything but the value, so that logging a secret as JSON cannot leak it. */
  toJSON(): SecretSummary;
}

/** What `JSON.stringify(secret)` shows. */
export interface SecretSummary {
  id: string;
  key: string;
  /** Always `<redacted>`. */
  value: string;
  path: string;
  app: string;
  env: string;
}
