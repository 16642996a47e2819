// POSIX shell single-quoting for the planner's remote command text. The planner's own copy until the
// lead unifies it with main/ssh/quote.ts (`shellQuote`): the rule is the same everywhere. Inside single
// quotes a POSIX shell (sh, dash, bash, zsh) takes every byte literally except the closing quote, so a
// quote inside the text is written as: close, escaped quote, reopen ('\''). No other character needs
// care: $(...), backticks, backslashes, newlines and any UTF-8 arrive byte-exact.

// Bare words are left bare for readability; '=' is excluded because zsh expands a leading '='.
/** The text as one POSIX shell word that expands to exactly `text`. */
export function quoteForShell(text: string): string {
  if (text.length > 0 && /^[A-Za-z0-9_+:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Several arguments, each quoted, joined by spaces. */
export function quoteArgs(args: readonly string[]): string {
  return args.map(quoteForShell).join(' ');
}
