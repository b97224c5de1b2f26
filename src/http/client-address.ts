import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The address a request came from: the socket's peer, or, behind `trustedProxies` reverse
 * proxies (nginx, a load balancer), the address the outermost of them saw, read from the right of
 * X-Forwarded-For (each proxy appends the peer it saw; entries further left are the client's own
 * word). Undefined when the request did not come through a socket (app.request in-process).
 */
export function clientAddress(c: Context, trustedProxies: number): string | undefined {
  const peer = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
  if (trustedProxies === 0 || peer === undefined) return peer;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return forwarded.at(-trustedProxies) ?? peer;
}
