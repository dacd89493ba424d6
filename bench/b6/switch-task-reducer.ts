import type { TaskEvent, TaskPhase } from '@bgsession/core';
import type { BareContext } from './bare-task-machine.js';

/** The state of the switch baseline: a phase and the small context of the bare machine. */
export interface SwitchState {
  readonly phase: TaskPhase;
  readonly context: BareContext;
}

const to = (phase: TaskPhase, context: BareContext): SwitchState => ({ phase, context });
const end = (s: SwitchState, phase: TaskPhase, event: TaskEvent) => to(phase, { ...s.context, endedAt: event.now, dueAt: null });
const wait = (s: SwitchState, phase: TaskPhase) => to(phase, { ...s.context, waiting: true });
const start = (s: SwitchState) => to('connecting', { ...s.context, attempts: s.context.attempts + 1, dueAt: null, waiting: false });
const checkpoint = (s: SwitchState, offset: number) => to(s.phase, { ...s.context, offset });

/** The events every idle phase (created, suspended) accepts. */
function idle(s: SwitchState, event: TaskEvent): SwitchState {
  switch (event.type) {
    case 'resume':
      return wait(s, 'scheduled');
    case 'cancel':
    case 'cancelProducingResumeData':
      return end(s, 'cancelled', event);
    case 'timerFired':
      return event.timer === 'resource' ? end(s, 'timedOut', event) : s;
    case 'bytesDurable':
      return s.phase === 'suspended' ? checkpoint(s, event.checkpoint.offset) : s;
    default:
      return s;
  }
}

/** The events of a task waiting for a slot (scheduled, backingOff). */
function waiting(s: SwitchState, event: TaskEvent): SwitchState {
  switch (event.type) {
    case 'slotGranted':
      return start(s);
    case 'suspend':
      return wait(s, 'suspended');
    case 'cancel':
    case 'cancelProducingResumeData':
      return end(s, 'cancelled', event);
    case 'timerFired':
      return event.timer === 'resource' ? end(s, 'timedOut', event) : s;
    case 'bytesDurable':
      return checkpoint(s, event.checkpoint.offset);
    case 'constraintsChanged':
    case 'relaunched':
      return wait(s, s.phase);
    default:
      return s.phase === 'scheduled' ? scheduledOnly(s, event) : s;
  }
}

function scheduledOnly(s: SwitchState, event: TaskEvent): SwitchState {
  switch (event.type) {
    case 'credentialsMissing':
    case 'credentialsSupplied':
      return wait(s, 'scheduled');
    case 'delegated':
      return s.context.kind === 'download' ? wait(s, 'scheduled') : s;
    case 'delegationEnded':
      return event.handOver !== null ? to('handingOver', { ...s.context, offset: event.handOver.size }) : end(s, 'failed', event);
    case 'callbackAnswered':
      return event.answer === 'cancel' ? end(s, 'cancelled', event) : s;
    default:
      return s;
  }
}

/** The events of a task with an attempt in flight (connecting, transferring). */
function inFlight(s: SwitchState, event: TaskEvent): SwitchState {
  switch (event.type) {
    case 'responseStarted':
      return s.phase === 'connecting' ? to('transferring', { ...s.context, offset: event.mode === 'fresh' ? 0 : s.context.offset }) : s;
    case 'redirected':
      return s.phase === 'connecting' ? wait(s, 'connecting') : s;
    case 'bytesDurable':
      return s.phase === 'transferring' ? checkpoint(s, event.checkpoint.offset) : s;
    case 'bodyEnded':
      if (s.phase !== 'transferring') return s;
      return s.context.kind === 'download' ? to('handingOver', { ...s.context, offset: event.countOfBytesReceived }) : end(s, 'succeeded', event);
    case 'suspend':
      return wait(s, 'suspended');
    case 'cancel':
    case 'cancelProducingResumeData':
      return wait(s, 'canceling');
    case 'timerFired':
      return event.timer === 'resource' ? end(s, 'timedOut', event) : s;
    case 'constraintsChanged':
      return event.satisfied ? s : wait(s, 'scheduled');
    case 'attemptFailed':
      switch (event.outcome.type) {
        case 'final':
          return end(s, 'failed', event);
        case 'offline':
        case 'diskFull':
        case 'staleConnection':
          return wait(s, 'scheduled');
        default:
          return to('backingOff', { ...s.context, dueAt: event.now + 1000 * 2 ** s.context.attempts });
      }
    case 'relaunched':
      return wait(s, 'scheduled');
    default:
      return s;
  }
}

/**
 * B6's second baseline: the task machine's states and transitions as a plain `switch` reducer over
 * the bare machine's small context. No library, no record: the floor of what a transition costs.
 *
 * @example
 * ```ts
 * switchTaskReducer({ phase: 'created', context: bareInitialContext }, { type: 'resume', now: 0 }).phase; // 'scheduled'
 * ```
 */
export function switchTaskReducer(s: SwitchState, event: TaskEvent): SwitchState {
  switch (s.phase) {
    case 'created':
    case 'suspended':
      return idle(s, event);
    case 'scheduled':
    case 'backingOff':
      return waiting(s, event);
    case 'connecting':
    case 'transferring':
      return inFlight(s, event);
    case 'canceling':
      if (event.type === 'bytesDurable') return checkpoint(s, event.checkpoint.offset);
      if (event.type === 'timerFired' && event.timer !== 'resource') return s;
      return event.type === 'attemptFailed' || event.type === 'bodyEnded' || event.type === 'relaunched' || event.type === 'timerFired' ? end(s, 'cancelled', event) : s;
    case 'handingOver':
      if (event.type === 'handedOver') return end(s, 'succeeded', event);
      if (event.type === 'handOverFailed') return end(s, 'failed', event);
      return event.type === 'relaunched' ? wait(s, 'handingOver') : s;
    default:
      return s;
  }
}
