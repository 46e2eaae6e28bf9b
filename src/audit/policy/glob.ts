/**
 * IAM pattern matching: `*` matches any run of characters (slashes included), `?` one
 * character. With policy variables (policy Version 2012-10-17), `${key}` is replaced by the
 * request's value of that key, and `${*}`, `${?}`, `${$}` stand for the literal characters.
 */

/** Looks up a policy variable; undefined when the request has no such key. */
export type VariableLookup = (key: string) => string | undefined;

const ESCAPES = new Map([['*', '*'], ['?', '?'], ['$', '$']]);

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

/**
 * The pattern as a regular expression, or undefined when it names a variable the request
 * does not have: such a pattern matches nothing.
 */
export function compilePattern(pattern: string, options: { caseInsensitive?: boolean; variables?: VariableLookup } = {}): RegExp | undefined {
  let source = '';
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index]!;
    if (options.variables && char === '$' && pattern[index + 1] === '{') {
      const end = pattern.indexOf('}', index + 2);
      if (end > 0) {
        const name = pattern.slice(index + 2, end).trim();
        const value = ESCAPES.get(name) ?? options.variables(name);
        if (value === undefined) return undefined;
        source += escapeRegExp(value);
        index = end + 1;
        continue;
      }
    }
    source += char === '*' ? '.*' : char === '?' ? '.' : escapeRegExp(char);
    index += 1;
  }
  return new RegExp(`^${source}$`, options.caseInsensitive ? 'is' : 's');
}

const compiled = new Map<string, RegExp>();

export function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const id = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(id);
  if (!regex) compiled.set(id, regex = compilePattern(pattern, { caseInsensitive })!);
  return regex.test(value);
}

/** The pattern with its variables resolved (for exact comparisons), or undefined. */
export function resolveVariables(text: string, variables: VariableLookup | undefined): string | undefined {
  if (!variables || !text.includes('${')) return text;
  let out = '';
  let index = 0;
  while (index < text.length) {
    if (text[index] === '$' && text[index + 1] === '{') {
      const end = text.indexOf('}', index + 2);
      if (end > 0) {
        const name = text.slice(index + 2, end).trim();
        const value = ESCAPES.get(name) ?? variables(name);
        if (value === undefined) return undefined;
        out += value;
        index = end + 1;
        continue;
      }
    }
    out += text[index];
    index += 1;
  }
  return out;
}

/** The condition keys a text names as policy variables (`${aws:username}`), as written; escapes left out. */
export function variablesIn(text: string): string[] {
  if (!text.includes('${')) return [];
  return [...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!.trim()).filter((name) => !ESCAPES.has(name));
}
