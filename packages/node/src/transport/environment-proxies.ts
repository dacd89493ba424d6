import { BgSessionError } from '@bgsession/core';

/** A proxy named by an environment variable, as undici is to get it. */
export interface EnvironmentProxy {
  /** The variable it came from (`https_proxy`, `HTTPS_PROXY`, ...), for messages. */
  readonly variable: string;
  /** Its URL, with `http://` added when it named no scheme. */
  readonly url: string;
}

/** The proxies for http: and https: URLs; null where none is set. */
export interface EnvironmentProxies {
  readonly http: EnvironmentProxy | null;
  readonly https: EnvironmentProxy | null;
}

/**
 * The proxies HTTP_PROXY and HTTPS_PROXY name, read the way undici reads them (the lower-case
 * variable first; an empty one means no proxy), with `http://` added to a value without a scheme
 * (`proxy.corp:3128`, as curl, wget and Python's requests take it). Without this, undici reads
 * `proxy.corp:` as the scheme and refuses it.
 *
 * @example
 * ```ts
 * environmentProxies({ HTTPS_PROXY: 'proxy.corp:3128' }).https;
 * // { variable: 'HTTPS_PROXY', url: 'http://proxy.corp:3128' }
 * ```
 */
export function environmentProxies(environment: Readonly<Record<string, string | undefined>>): EnvironmentProxies {
  return { http: proxyOf(environment, 'http_proxy'), https: proxyOf(environment, 'https_proxy') };
}

function proxyOf(environment: Readonly<Record<string, string | undefined>>, lowerCase: string): EnvironmentProxy | null {
  const upperCase = lowerCase.toUpperCase();
  const variable = environment[lowerCase] !== undefined ? lowerCase : upperCase;
  const value = (environment[variable] ?? '').trim();
  if (value === '') return null;
  return { variable, url: hasProxyScheme(value) ? value : `http://${value}` };
}

/**
 * The refusal for a proxy undici cannot use: names the variable, and shows its value with
 * whatever precedes its last `@` (user name and password) masked, even when it does not parse.
 *
 * @example
 * ```ts
 * unusableProxy({ variable: 'HTTPS_PROXY', url: 'http://me:secret@[bad' }).message;
 * // 'The proxy in HTTPS_PROXY (http://***@[bad) is not a URL undici can use: ...'
 * ```
 */
export function unusableProxy(proxy: EnvironmentProxy): BgSessionError {
  return new BgSessionError(
    'InvalidConfiguration',
    `The proxy in ${proxy.variable} (${withoutCredentials(proxy.url)}) is not a URL undici can use: give it as http://host:port (or https://), or set proxyFromEnvironment: false.`,
    { field: 'proxyFromEnvironment' },
  );
}

function withoutCredentials(url: string): string {
  const at = url.lastIndexOf('@');
  if (at === -1) return url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  return `${scheme}***${url.slice(at)}`;
}

/**
 * Whether a proxy value already names its scheme: `http://host:port`, and also `http:host:port`,
 * which URL parsers (undici's included) read as http. `proxy.corp:3128` parses with the scheme
 * `proxy.corp:`, which is no proxy scheme: it gets `http://`, as curl and wget give it.
 */
function hasProxyScheme(value: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return true;
  try {
    return ['http:', 'https:', 'socks:', 'socks4:', 'socks5:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
