import type { Session, Task } from '@bgsession/core';
import type { Trace } from '../trace/trace.js';

/**
 * The session as the app in the world holds it: the same object, with each task creation that
 * resolves written into the trace (invariants #1 and #5 start from those), and `closed` told once
 * `close()` resolves (the world then forgets the session, so the app may open it again).
 *
 * @example
 * ```ts
 * const session = tracedSession(await createSession(options), world.trace);
 * ```
 */
export function tracedSession(session: Session, trace: Trace, closed: () => void = () => undefined): Session {
  const created = (task: Task, url: string): Task => {
    trace.add({ kind: 'created', session: session.identifier, taskIdentifier: task.taskIdentifier, url });
    return task;
  };
  const overrides: Partial<Session> = {
    download: async (input) => created(await session.download(input), typeof input === 'string' ? (/^[a-z][a-z0-9+.-]*:/i.test(input) ? input : '') : input.url),
    upload: async (input) => created(await session.upload(input), input.url),
    data: async (input) => created(await session.data(input), input.url),
    close: async () => {
      await session.close();
      closed();
    },
  };
  return new Proxy(session, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides) return overrides[property as keyof Session];
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
