/**
 * Planted secret values and the search for them: the value itself, and its base64 and base64url forms at every
 * byte alignment (a value inside a larger encoded blob shows only the characters its own bytes determine).
 */
export interface Planted {
  readonly name: string;
  readonly value: string;
}

/** Base64 fragments that appear wherever `value` is base64-encoded, whatever precedes it. */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const b64 = encoded.toString('base64');
    const start = offset === 0 ? 0 : 4;
    const end = Math.floor(encoded.length / 3) * 4;
    const fragment = b64.slice(start, end);
    if (fragment.length >= 8) {
      forms.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...new Set(forms)];
}

export interface Finding {
  readonly where: string;
  readonly planted: string;
  readonly form: 'plain' | 'base64' | 'json-escaped';
}

/** Every planted value (plain, JSON-escaped, base64) found in `text`, labelled with `where`. */
export function findPlanted(where: string, text: string, planted: readonly Planted[]): Finding[] {
  const out: Finding[] = [];
  for (const p of planted) {
    if (text.includes(p.value)) out.push({ where, planted: p.name, form: 'plain' });
    else if (text.includes(JSON.stringify(p.value).slice(1, -1)))
      out.push({ where, planted: p.name, form: 'json-escaped' });
    else if (base64Forms(p.value).some((f) => text.includes(f)))
      out.push({ where, planted: p.name, form: 'base64' });
  }
  return out;
}

/** Collects output under labels, then reports every planted value found anywhere. */
export class LeakScanner {
  private readonly texts: { where: string; text: string }[] = [];
  constructor(private readonly planted: readonly Planted[]) {}

  add(where: string, text: string | Buffer): void {
    this.texts.push({ where, text: Buffer.isBuffer(text) ? text.toString('latin1') : text });
  }

  /** How many texts were collected (so a test can show it looked at something). */
  get size(): number {
    return this.texts.length;
  }

  findings(): Finding[] {
    return this.texts.flatMap((t) => findPlanted(t.where, t.text, this.planted));
  }
}
