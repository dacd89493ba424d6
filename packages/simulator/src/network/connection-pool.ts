/** A client connection to one origin on the virtual network. */
export interface SimConnection {
  /** Unique in the network, in order of opening. */
  readonly id: number;
  readonly origin: string;
  readonly hostname: string;
  /** Monotonic ms when it last finished a response (or opened). */
  lastUsed: number;
  /** Requests it carried. */
  requests: number;
}

/**
 * A transport's kept-alive connections, per origin. The most recently used is reused first, as
 * undici does; one idle longer than `keepAlive` was closed by the client and is dropped. Whether
 * the server closed it meanwhile is the network's business (a stale connection).
 */
export class ConnectionPool {
  private readonly idle = new Map<string, SimConnection[]>();

  constructor(private readonly keepAlive: number) {}

  /** An idle connection to `origin` the client still keeps at `now`, removed from the pool, or null. */
  take(origin: string, now: number): SimConnection | null {
    const list = this.idle.get(origin);
    while (list !== undefined && list.length > 0) {
      const connection = list.pop() as SimConnection;
      if (now - connection.lastUsed <= this.keepAlive) return connection;
    }
    return null;
  }

  /** Puts a connection whose response ended cleanly back, idle from `now`. */
  put(connection: SimConnection, now: number): void {
    connection.lastUsed = now;
    const list = this.idle.get(connection.origin) ?? [];
    list.push(connection);
    this.idle.set(connection.origin, list);
  }

  /** Forgets every idle connection (to one host, or all): they were closed. */
  clear(hostname?: string): void {
    if (hostname === undefined) {
      this.idle.clear();
      return;
    }
    for (const [origin, list] of this.idle) {
      if (list[0]?.hostname === hostname) this.idle.delete(origin);
    }
  }
}
