// `portico://` links: what a second launch (Windows, Linux: in its argv) or macOS ('open-url')
// hands the running app. One tiny grammar, and nothing else is acted on:
//
//   portico://open                      → show the window (its current page)
//   portico://open/<route>              → show the window at #/<route>
//   portico://open?page=<route>         → the same, for links built with a query
//
// <route> is one or more path segments of URL-safe characters (the UI's routes: customers/acme,
// clients, activity…); no "..", no scheme, no query of its own.

export const PROTOCOL = 'portico';

export type LinkTarget = { ok: true; route: string | null } | { ok: false; reason: string };

const SEGMENT = /^[A-Za-z0-9._~%@-]+$/;
const MAX_LINK = 2048;

/** The first `portico://` argument of a command line (what the OS passes when a link is opened). */
export function linkFromArgv(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.toLowerCase().startsWith(`${PROTOCOL}://`));
}

function checkRoute(route: string): LinkTarget {
  const trimmed = route.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return { ok: true, route: null };
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
      return { ok: false, reason: `"${route}" is not a Portico page (letters, digits, - . _ ~ % @ and /)` };
    }
  }
  return { ok: true, route: segments.join('/') };
}

/** Where a `portico://` link asks the window to go; anything outside the grammar is refused with a reason. */
export function parseLink(link: string): LinkTarget {
  if (link.length > MAX_LINK) return { ok: false, reason: 'the link is too long' };
  // The URL parser would resolve dot segments away; a link that has them is not one we make.
  if (/\/\.{1,2}(?:[/?#]|$)|%2e/i.test(link)) return { ok: false, reason: 'dot segments are not allowed' };
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return { ok: false, reason: 'it is not a URL' };
  }
  if (url.protocol !== `${PROTOCOL}:`) return { ok: false, reason: `it is not a ${PROTOCOL}:// link` };
  // WHATWG URL keeps a non-special scheme's host as is: portico://open/x has host "open".
  if (url.hostname.toLowerCase() !== 'open' || url.username || url.password || url.port) {
    return { ok: false, reason: 'only portico://open[/page] is understood' };
  }
  const page = url.searchParams.get('page');
  const extra = [...url.searchParams.keys()].filter((key) => key !== 'page');
  if (extra.length > 0) return { ok: false, reason: `unknown parameter "${extra[0]}"` };
  if (page !== null && url.pathname !== '' && url.pathname !== '/') {
    return { ok: false, reason: 'give the page either as a path or as ?page=, not both' };
  }
  return checkRoute(page ?? url.pathname);
}
