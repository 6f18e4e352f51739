/**
 * Cookies of one wiki. A client talks to one api.php, so the jar ignores Domain and Path and keeps
 * name → value with an expiry; MediaWiki's session and login token are bound to these cookies.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; expiresAtMs: number | null }>();

  /** Takes the `Set-Cookie` headers of a response; expired or `deleted` cookies are removed. */
  store(setCookieHeaders: readonly string[], nowMs: number): void {
    for (const header of setCookieHeaders) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expiresAtMs: number | null = null;
      for (const attribute of attributes) {
        const [rawKey, ...rest] = attribute.split('=');
        const key = rawKey?.trim().toLowerCase();
        const attrValue = rest.join('=').trim();
        if (key === 'max-age' && /^-?\d+$/.test(attrValue)) {
          expiresAtMs = nowMs + Number(attrValue) * 1000;
          break; // Max-Age wins over Expires (RFC 6265 §5.3)
        }
        if (key === 'expires') {
          const parsed = Date.parse(attrValue);
          if (!Number.isNaN(parsed)) expiresAtMs = parsed;
        }
      }
      if ((expiresAtMs !== null && expiresAtMs <= nowMs) || value === 'deleted') this.cookies.delete(name);
      else this.cookies.set(name, { value, expiresAtMs });
    }
  }

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(nowMs: number): string | undefined {
    const parts: string[] = [];
    for (const [name, cookie] of this.cookies) {
      if (cookie.expiresAtMs !== null && cookie.expiresAtMs <= nowMs) {
        this.cookies.delete(name);
        continue;
      }
      parts.push(`${name}=${cookie.value}`);
    }
    return parts.length > 0 ? parts.join('; ') : undefined;
  }

  clear(): void {
    this.cookies.clear();
  }
}
