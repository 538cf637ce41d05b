// The `Secret` class, defined in each realm when the addon loads (node/src/types.rs).
//
// Secrets cross from Rust as one JSON text of rows, parsed here: JSON.parse and a JavaScript
// constructor cost far less per secret than a native object per secret whose every field read
// calls back into Rust. The fields live in a private field, so `console.log`, `util.inspect`
// (whatever its options), spreading, `Object.keys`, `structuredClone` and `JSON.stringify`
// never see the value; only the `value` getter returns it.
//
// A row is [id, key, value, comment, path, tags, overridden, type, lifecycle, app, env,
// version, isDynamic, dynamicGroup, leaseId, leaseExpiresAt, createdAt, updatedAt] (the order of types.rs's `Row`).
(function defineSecret() {
  const made = Symbol("phasekit secret");

  /** A decrypted secret. */
  class Secret {
    #row;

    constructor(row, token) {
      if (token !== made) {
        throw new TypeError(
          "a Secret comes from a phasekit Client; it cannot be constructed",
        );
      }
      this.#row = row;
    }

    get id() {
      return this.#row[0];
    }

    get key() {
      return this.#row[1];
    }

    /** The plaintext value (the caller's active personal override, if any). */
    get value() {
      return this.#row[2];
    }

    get comment() {
      return this.#row[3];
    }

    get path() {
      return this.#row[4];
    }

    /** A copy: changing it does not change the secret. */
    get tags() {
      return [...this.#row[5]];
    }

    /** Whether `value` is the caller's personal override rather than the shared value. */
    get overridden() {
      return this.#row[6];
    }

    /** `secret`, `sealed` or `config`. */
    get type() {
      return this.#row[7];
    }

    get lifecycle() {
      return this.#row[8];
    }

    /** The app's name. */
    get app() {
      return this.#row[9];
    }

    /** The environment's name. */
    get env() {
      return this.#row[10];
    }

    get version() {
      return this.#row[11];
    }

    get isDynamic() {
      return this.#row[12];
    }

    get dynamicGroup() {
      return this.#row[13];
    }

    get leaseId() {
      return this.#row[14];
    }

    /** When the lease of a dynamic secret ends (ISO 8601). */
    get leaseExpiresAt() {
      return this.#row[15];
    }

    /** When the secret was created, as the server writes it (ISO 8601). */
    get createdAt() {
      return this.#row[16];
    }

    /** When the secret last changed, as the server writes it (ISO 8601). */
    get updatedAt() {
      return this.#row[17];
    }

    /** `Secret(key=..., path=..., app=..., env=..., value=<redacted>)`. */
    toString() {
      const [, key, , , path, , , , , app, env] = this.#row;
      const quoted = JSON.stringify;
      return `Secret(key=${quoted(key)}, path=${quoted(path)}, app=${quoted(app)}, env=${quoted(env)}, value=<redacted>)`;
    }

    /** Everything but the value, so that logging a secret as JSON cannot leak it. */
    toJSON() {
      const [id, key, , , path, , , , , app, env] = this.#row;
      return { id, key, value: "<redacted>", path, app, env };
    }

    // `util.inspect` renders toString(), even when asked for hidden fields or getters.
    // (Inspecting the prototype itself finds no row: it is shown as usual.)
    [Symbol.for("nodejs.util.inspect.custom")]() {
      return #row in this ? this.toString() : this;
    }
  }

  return {
    Secret,
    /** The secrets of a JSON text of rows. */
    many: (rows) => JSON.parse(rows).map((row) => new Secret(row, made)),
    /** The secret of a JSON text of one row. */
    one: (row) => new Secret(JSON.parse(row), made),
  };
});
