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
  // The URL as the session took it: a download made from resume data names the resume data's.
  const created = (task: Task): Task => {
    trace.add({ kind: 'created', session: session.identifier, taskIdentifier: task.taskIdentifier, url: task.info().originalRequest.url });
    return task;
  };
  const overrides: Partial<Session> = {
    download: async (input) => created(await session.download(input)),
    upload: async (input) => created(await session.upload(input)),
    data: async (input) => created(await session.data(input)),
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
