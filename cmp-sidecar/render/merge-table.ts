/** The shape of merge-keys.generated.ts, apart from the code that reads it so the generated file imports no code. */

/** One field of the generated table: a keyed or set list, and/or the definition of its value (or elements). */
export interface MergeTableField {
  readonly keys?: readonly string[];
  readonly set?: true;
  readonly ref?: string;
}

/** The generated table: `group/version/kind` → definition; definition → the fields that merge or lead to some. */
export interface MergeTable {
  readonly kinds: Readonly<Record<string, string>>;
  readonly definitions: Readonly<Record<string, Readonly<Record<string, MergeTableField>>>>;
}
