// A strict JSON reader (src/core/json.c) over UTF-8 bytes, producing the
// same flat token list as the C reader, so that every lookup the verifier
// makes behaves as in C:
//
//   - RFC 8259 only: no BOM, comments, trailing commas; strings without raw
//     control characters, only the standard escapes, \u surrogates only as
//     high-low pairs, well-formed UTF-8 (no overlong forms, no encoded
//     surrogates, nothing above U+10FFFF); numbers -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?;
//     nesting at most 64 deep;
//   - duplicate keys are allowed by the grammar; a lookup finds the FIRST
//     (JSON.parse keeps the last), and the verifier refuses duplicates of
//     the members it cares about;
//   - string tokens keep their raw, still escaped text: some C checks read
//     the raw text (typ against the kind table, RFC 3339 times, PASERK
//     keys), others the unescaped value.
//
// A token is {type, start, end, size, parent}; text[start, end) is a
// string's raw content (quotes excluded) or any other value's whole text.

export const OBJECT = 1;
export const ARRAY = 2;
export const STRING = 3;
export const NUMBER = 4;
export const TRUE = 5;
export const FALSE = 6;
export const NULL = 7;

export const MAX_DEPTH = 64;

const INT64_MAX = (1n << 63n) - 1n;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/* One-character escapes: \" \\ \/ \b \f \n \r \t. */
const SIMPLE_ESCAPES = new Map([[0x22, 0x22], [0x5c, 0x5c], [0x2f, 0x2f], [0x62, 0x08], [0x66, 0x0c], [0x6e, 0x0a], [0x72, 0x0d], [0x74, 0x09]]);

function isWs(c) {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c) {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/* Length of the well-formed UTF-8 sequence at s[p] (Unicode table 3-7), or 0. */
function utf8SequenceLen(s, p, end) {
  const c = s[p];
  let lo = 0x80;
  let hi = 0xbf;
  let need;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) need = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    need = 3;
    if (c === 0xe0) lo = 0xa0; /* no overlong forms */
    else if (c === 0xed) hi = 0x9f; /* no encoded surrogates */
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 4;
    if (c === 0xf0) lo = 0x90; /* no overlong forms */
    else if (c === 0xf4) hi = 0x8f; /* nothing above U+10FFFF */
  } else return 0;
  if (end - p < need) return 0;
  if (s[p + 1] < lo || s[p + 1] > hi) return 0;
  for (let k = 2; k < need; k++) if (s[p + k] < 0x80 || s[p + k] > 0xbf) return 0;
  return need;
}

function readHex4(s, p, end) {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    if (p + k >= end) return { status: 'UNEXPECTED_END' };
    const h = hexValue(s[p + k]);
    if (h < 0) return { status: 'BAD_ESCAPE' };
    v = (v << 4) | h;
  }
  return { status: 'OK', v };
}

/*
 * The escape at the backslash s[p]: {status, cp, next}.  Both halves of a
 * surrogate pair are one escape.
 */
function decodeEscape(s, p, end) {
  const q = p + 1;
  if (q >= end) return { status: 'UNEXPECTED_END' };
  const c = s[q];
  if (SIMPLE_ESCAPES.has(c)) return { status: 'OK', cp: SIMPLE_ESCAPES.get(c), next: q + 1 };
  if (c !== 0x75) return { status: 'BAD_ESCAPE' };
  const h = readHex4(s, q + 1, end);
  if (h.status !== 'OK') return h;
  let r = q + 5;
  if (h.v >= 0xdc00 && h.v <= 0xdfff) return { status: 'BAD_SURROGATE' }; /* low half first */
  if (h.v >= 0xd800 && h.v <= 0xdbff) {
    /* A high half must be followed at once by "\u" and a low half. */
    if (r >= end || (s[r] === 0x5c && r + 1 >= end)) return { status: 'UNEXPECTED_END' };
    if (s[r] !== 0x5c || s[r + 1] !== 0x75) return { status: 'BAD_SURROGATE' };
    const l = readHex4(s, r + 2, end);
    if (l.status !== 'OK') return l;
    if (l.v < 0xdc00 || l.v > 0xdfff) return { status: 'BAD_SURROGATE' };
    return { status: 'OK', cp: 0x10000 + ((h.v - 0xd800) << 10) + (l.v - 0xdc00), next: r + 6 };
  }
  return { status: 'OK', cp: h.v, next: r };
}

function pushUtf8(out, cp) {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/*
 * The state machine of json.c: an explicit stack of open containers, so
 * hostile nesting neither recurses nor runs past the limit.  maxTokens
 * reproduces the fixed token arrays of some C callers: TOO_MANY_TOKENS as
 * soon as one more token would not fit (the rest of the text unchecked).
 */
class Parser {
  constructor(text, maxTokens) {
    this.s = text;
    this.len = text.length;
    this.pos = 0;
    this.cap = maxTokens;
    this.tokens = [];
    this.open = [];
  }

  newToken(type, start) {
    if (this.tokens.length >= this.cap) return -1;
    const depth = this.open.length;
    this.tokens.push({ type, start, end: start, size: 0, parent: depth > 0 ? this.open[depth - 1].index : -1 });
    return this.tokens.length - 1;
  }

  /* Count a key of an object or a value of an array. */
  grow(isKey) {
    const top = this.open[this.open.length - 1];
    if (top && top.isObject === isKey) this.tokens[top.index].size++;
  }

  parseString() {
    const s = this.s;
    let p = this.pos + 1;
    const index = this.newToken(STRING, p);
    if (index < 0) return 'TOO_MANY_TOKENS';
    for (;;) {
      if (p >= this.len) {
        this.pos = p;
        return 'UNEXPECTED_END';
      }
      const c = s[p];
      if (c === 0x22) break;
      if (c === 0x5c) {
        const e = decodeEscape(s, p, this.len);
        if (e.status !== 'OK') return e.status;
        p = e.next;
      } else if (c < 0x20) {
        return 'CONTROL_CHAR';
      } else {
        const k = utf8SequenceLen(s, p, this.len);
        if (k === 0) return 'BAD_UTF8';
        p += k;
      }
    }
    this.tokens[index].end = p;
    this.pos = p + 1;
    return 'OK';
  }

  parseNumber() {
    const s = this.s;
    const len = this.len;
    const start = this.pos;
    let p = start;
    if (s[p] === 0x2d) p++;
    if (p < len && s[p] === 0x30) p++;
    else if (p < len && s[p] >= 0x31 && s[p] <= 0x39) {
      while (p < len && isDigit(s[p])) p++;
    } else return 'BAD_NUMBER';
    if (p < len && s[p] === 0x2e) {
      p++;
      if (p >= len || !isDigit(s[p])) return 'BAD_NUMBER';
      while (p < len && isDigit(s[p])) p++;
    }
    if (p < len && (s[p] === 0x65 || s[p] === 0x45)) {
      p++;
      if (p < len && (s[p] === 0x2b || s[p] === 0x2d)) p++;
      if (p >= len || !isDigit(s[p])) return 'BAD_NUMBER';
      while (p < len && isDigit(s[p])) p++;
    }
    /* "01", "1.2.3", "1e2e3": the grammar stopped inside what looks like one number. */
    if (p < len && (isDigit(s[p]) || s[p] === 0x2e || s[p] === 0x65 || s[p] === 0x45 || s[p] === 0x2b || s[p] === 0x2d))
      return 'BAD_NUMBER';
    const index = this.newToken(NUMBER, start);
    if (index < 0) return 'TOO_MANY_TOKENS';
    this.tokens[index].end = p;
    this.pos = p;
    return 'OK';
  }

  parseLiteral(word, type) {
    for (let k = 0; k < word.length; k++) {
      if (this.pos + k >= this.len) return 'UNEXPECTED_END';
      if (this.s[this.pos + k] !== word.charCodeAt(k)) return 'UNEXPECTED_CHAR';
    }
    const index = this.newToken(type, this.pos);
    if (index < 0) return 'TOO_MANY_TOKENS';
    this.tokens[index].end = this.pos + word.length;
    this.pos += word.length;
    return 'OK';
  }

  /* A value at pos: a scalar whole, or open a container. Gives the next state. */
  parseValue() {
    const c = this.s[this.pos];
    if (c === 0x7b || c === 0x5b) {
      if (this.open.length >= MAX_DEPTH) return { status: 'TOO_DEEP' };
      const index = this.newToken(c === 0x7b ? OBJECT : ARRAY, this.pos);
      if (index < 0) return { status: 'TOO_MANY_TOKENS' };
      this.grow(false);
      this.open.push({ index, isObject: c === 0x7b });
      this.pos++;
      return { status: 'OK', state: c === 0x7b ? 'KEY_OR_CLOSE' : 'VALUE_OR_CLOSE' };
    }
    let st;
    if (c === 0x22) st = this.parseString();
    else if (c === 0x2d || isDigit(c)) st = this.parseNumber();
    else if (c === 0x74) st = this.parseLiteral('true', TRUE);
    else if (c === 0x66) st = this.parseLiteral('false', FALSE);
    else if (c === 0x6e) st = this.parseLiteral('null', NULL);
    else return { status: 'UNEXPECTED_CHAR' };
    if (st !== 'OK') return { status: st };
    this.grow(false);
    return { status: 'OK', state: this.open.length > 0 ? 'COMMA_OR_CLOSE' : 'DONE' };
  }

  close() {
    const top = this.open.pop();
    this.tokens[top.index].end = this.pos + 1;
    this.pos++;
    return this.open.length > 0 ? 'COMMA_OR_CLOSE' : 'DONE';
  }

  run() {
    let state = 'VALUE';
    for (;;) {
      while (this.pos < this.len && isWs(this.s[this.pos])) this.pos++;
      if (this.pos >= this.len) {
        if (state === 'DONE') return 'OK';
        return this.tokens.length === 0 ? 'EMPTY' : 'UNEXPECTED_END';
      }
      const c = this.s[this.pos];
      const top = this.open[this.open.length - 1];
      const inObject = top !== undefined && top.isObject;
      switch (state) {
        case 'DONE':
          return 'TRAILING';
        case 'COLON':
          if (c !== 0x3a) return 'UNEXPECTED_CHAR';
          this.pos++;
          state = 'VALUE';
          break;
        case 'COMMA_OR_CLOSE':
          if (c === 0x2c) {
            this.pos++;
            state = inObject ? 'KEY' : 'VALUE';
          } else if (c === (inObject ? 0x7d : 0x5d)) state = this.close();
          else return 'UNEXPECTED_CHAR';
          break;
        case 'KEY_OR_CLOSE':
        case 'KEY': {
          if (c === 0x7d && state === 'KEY_OR_CLOSE') {
            state = this.close();
            break;
          }
          if (c !== 0x22) return 'UNEXPECTED_CHAR';
          this.grow(true);
          const st = this.parseString();
          if (st !== 'OK') return st;
          state = 'COLON';
          break;
        }
        case 'VALUE_OR_CLOSE':
          if (c === 0x5d) {
            state = this.close();
            break;
          }
        // falls through
        case 'VALUE': {
          const r = this.parseValue();
          if (r.status !== 'OK') return r.status;
          state = r.state;
          break;
        }
      }
    }
  }
}

/** A parsed JSON text: its bytes and tokens, with the lookups of json.c. */
export class JsonDoc {
  constructor(text, tokens) {
    this.text = text;
    this.tok = tokens;
  }

  get n() {
    return this.tok.length;
  }

  type(i) {
    return this.tok[i].type;
  }

  /* Index just past the value at i and everything inside it (bp_json_skip). */
  skip(i) {
    let remaining = 1;
    let k = i;
    for (; remaining > 0; k++) {
      if (k >= this.tok.length) return -1;
      const t = this.tok[k];
      remaining--;
      if (t.type === OBJECT) remaining += 2 * t.size;
      else if (t.type === ARRAY) remaining += t.size;
    }
    return k;
  }

  /* Index of the value of the FIRST member key of the object at obj, or -1. */
  get(obj, key) {
    if (obj < 0 || obj >= this.tok.length || this.tok[obj].type !== OBJECT) return -1;
    const want = encoder.encode(key);
    let k = obj + 1;
    for (let m = 0; m < this.tok[obj].size; m++) {
      if (k < 0 || k + 1 >= this.tok.length || this.tok[k].type !== STRING) return -1;
      if (this.equals(k, want)) return k + 1;
      k = this.skip(k + 1);
    }
    return -1;
  }

  /* How many members of the object at obj are called key. */
  count(obj, key) {
    const want = encoder.encode(key);
    let count = 0;
    let k = obj + 1;
    for (let m = 0; m < this.tok[obj].size && k > 0 && k + 1 < this.tok.length; m++) {
      if (this.equals(k, want)) count++;
      k = this.skip(k + 1);
    }
    return count;
  }

  /* The token's raw text: a string's content still escaped, else the value. */
  raw(i) {
    return this.text.subarray(this.tok[i].start, this.tok[i].end);
  }

  /* A string token's value as UTF-8 bytes. */
  unescape(i) {
    const t = this.tok[i];
    const s = this.text;
    const out = [];
    for (let p = t.start; p < t.end; ) {
      if (s[p] !== 0x5c) {
        out.push(s[p++]);
        continue;
      }
      const e = decodeEscape(s, p, t.end);
      pushUtf8(out, e.cp);
      p = e.next;
    }
    return Uint8Array.from(out);
  }

  /* Is the token a string whose value is want (bytes or a string)? */
  equals(i, want) {
    if (i < 0 || this.tok[i].type !== STRING) return false;
    const w = typeof want === 'string' ? encoder.encode(want) : want;
    const v = this.unescape(i);
    if (v.length !== w.length) return false;
    for (let k = 0; k < v.length; k++) if (v[k] !== w[k]) return false;
    return true;
  }

  /* A number token read exactly as int64 (bp_json_int64): a BigInt, or null. */
  int64(i) {
    const t = this.tok[i];
    if (t.type !== NUMBER) return null;
    const raw = decoder.decode(this.raw(i));
    if (!/^-?[0-9]+$/.test(raw)) return null; /* a fraction or exponent, even 1.0 or 1e2 */
    const v = BigInt(raw);
    if (v > INT64_MAX || v < -INT64_MAX - 1n) return null;
    return v;
  }

  /*
   * The value at i as JavaScript: objects keep the first of duplicate keys
   * (as every lookup here does), numbers become Number.
   */
  value(i = 0) {
    const t = this.tok[i];
    switch (t.type) {
      case STRING:
        return decoder.decode(this.unescape(i));
      case NUMBER:
        return Number(decoder.decode(this.raw(i)));
      case TRUE:
        return true;
      case FALSE:
        return false;
      case NULL:
        return null;
      case ARRAY: {
        const out = [];
        for (let m = 0, e = i + 1; m < t.size; m++, e = this.skip(e)) out.push(this.value(e));
        return out;
      }
      default: {
        const out = {};
        for (let m = 0, k = i + 1; m < t.size; m++, k = this.skip(k + 1)) {
          const key = decoder.decode(this.unescape(k));
          if (Object.hasOwn(out, key)) continue;
          /* defineProperty: a "__proto__" key is data, not the prototype. */
          Object.defineProperty(out, key, { value: this.value(k + 1), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
    }
  }
}

/**
 * Parse UTF-8 bytes: {status, doc}. status is 'OK' or the json.c status
 * name; doc is set only when OK.
 */
export function parse(bytes, maxTokens = Infinity) {
  const p = new Parser(bytes, maxTokens);
  const status = p.run();
  return status === 'OK' ? { status, doc: new JsonDoc(bytes, p.tokens) } : { status };
}
