import { Lexer } from 'yaml';
import { LIMITS } from './limits';

/**
 * The line at which a YAML text passes LIMITS.maxYamlTokens, or undefined. The parser's heap grows with tokens,
 * not bytes; a text cannot hold more tokens than characters, so only texts longer than the limit are lexed
 * (cheaply, without building anything) to be counted.
 */
export function lineOverTokenLimit(text: string): number | undefined {
  if (text.length <= LIMITS.maxYamlTokens) return undefined;
  let tokens = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    offset += token.length;
    if (++tokens > LIMITS.maxYamlTokens) return text.slice(0, offset).split('\n').length;
  }
  return undefined;
}
