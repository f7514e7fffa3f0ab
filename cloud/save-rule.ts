/**
 * The shape of a beforeSave rule, shared by cloud/triggers.ts (which registers the rules) and the
 * modules that contribute rules for their own classes (cloud/oauth-server/store/save-rules.ts).
 * Its own module so that neither imports the other: triggers.ts imports those rules.
 */

/** The part of a Parse.Object a beforeSave rule looks at. */
export interface SavedObject {
  get(key: string): unknown;
  dirty(key: string): boolean;
}

/** Returns the problem with a write, or undefined; messages name fields, never values. */
export type SaveRule = (
  obj: SavedObject,
  isCreate: boolean,
  keys: readonly string[],
) => string | undefined;
