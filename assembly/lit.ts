// Byte-string literals the plans use most, as Strs into the static text (generated/text.ts). A
// global costs its declaration and a txt() call at start; a literal named fewer than four times is
// txt(T.X) where it is used instead (23 of them: -165 B).
import { Str, txt } from "./bytes";
import * as T from "./generated/text";

export const EMPTY: Str = txt(T.EMPTY);
export const SLASH: Str = txt(T.SLASH);
export const DOT: Str = txt(T.DOT);
export const OLDROOT: Str = txt(T.OLDROOT);
