// RFC 3339 date-times to Unix seconds (src/core/rfc3339.c), without Date or
// time zones: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)".  'T' and 'Z'
// may be lower case; a fraction is truncated toward the earlier second; a
// leap second :60 counts as the next minute's :00; impossible dates
// (2026-02-29), a missing offset and trailing text are refused.

/** Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant). */
export function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.trunc((y >= 0 ? y : y - 399) / 400);
  const yoe = y - era * 400;
  const doy = Math.trunc((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.trunc(yoe / 4) - Math.trunc(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y, m) {
  if (m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0)) return 29;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/**
 * Unix seconds of an RFC 3339 text (a string, or bytes as a payload holds
 * them, still escaped: an escape is not a digit, so "\u0032026-…" fails as
 * in C), or null when it is not one.
 */
export function parseRfc3339(s) {
  const c = typeof s === 'string' ? (i) => s.charCodeAt(i) : (i) => s[i];
  const len = s.length;
  let pos = 0;
  const digits = (n) => {
    if (len - pos < n) return null;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const d = c(pos + i) - 0x30;
      if (!(d >= 0 && d <= 9)) return null;
      v = v * 10 + d;
    }
    pos += n;
    return v;
  };
  const expect = (a, b) => {
    if (pos >= len || (c(pos) !== a.charCodeAt(0) && c(pos) !== b.charCodeAt(0))) return false;
    pos++;
    return true;
  };
  const y = digits(4);
  if (y === null || !expect('-', '-')) return null;
  const mo = digits(2);
  if (mo === null || !expect('-', '-')) return null;
  const d = digits(2);
  if (d === null || !expect('T', 't')) return null;
  const h = digits(2);
  if (h === null || !expect(':', ':')) return null;
  const mi = digits(2);
  if (mi === null || !expect(':', ':')) return null;
  const sec = digits(2);
  if (sec === null) return null;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 60) return null;
  if (pos < len && c(pos) === 0x2e) {
    const start = ++pos;
    while (pos < len && c(pos) >= 0x30 && c(pos) <= 0x39) pos++;
    if (pos === start) return null;
  }
  if (pos >= len) return null;
  let offset = 0;
  if (c(pos) === 0x5a || c(pos) === 0x7a) pos++;
  else if (c(pos) === 0x2b || c(pos) === 0x2d) {
    const sign = c(pos) === 0x2b ? 1 : -1;
    pos++;
    const oh = digits(2);
    if (oh === null || !expect(':', ':')) return null;
    const om = digits(2);
    if (om === null || oh > 23 || om > 59) return null;
    offset = sign * (oh * 3600 + om * 60);
  } else return null;
  if (pos !== len) return null;
  /* Local time = UTC + offset, so UTC = local - offset. */
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
}

/** Unix seconds as "YYYY-MM-DDTHH:MM:SSZ"; null outside years 0000-9999. */
export function formatRfc3339(t) {
  if (!Number.isSafeInteger(t)) return null;
  let days = Math.floor(t / 86400);
  const secs = t - days * 86400;
  /* civil_from_days (H. Hinnant) */
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.trunc((doe - Math.trunc(doe / 1460) + Math.trunc(doe / 36524) - Math.trunc(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.trunc(yoe / 4) - Math.trunc(yoe / 100));
  const mp = Math.trunc((5 * doy + 2) / 153);
  const d = doy - Math.trunc((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 0 || y > 9999) return null;
  const p = (v, n) => String(v).padStart(n, '0');
  return `${p(y, 4)}-${p(m, 2)}-${p(d, 2)}T${p(Math.floor(secs / 3600), 2)}:${p(Math.floor(secs / 60) % 60, 2)}:${p(secs % 60, 2)}Z`;
}
