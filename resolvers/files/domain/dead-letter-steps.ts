/**
 * What a dead letter of a pipeline step means for its file. The message ran out of retries (it
 * is in the step's dead-letter queue), so the file ends FAILED with the step's last error, once
 * however often the message is seen, and that is announced. Unless the step did not fail: a
 * duplicate delivery that kept meeting the other one in progress runs out of receives while
 * that one works, and only the step's own state says whether it did.
 *
 * No image code here (./pipeline-steps.ts runs the steps): the dead-letter function carries no
 * sharp.
 */
import { RETRIES_EXHAUSTED } from './errors.js';
import { type FileErrorRecord, type FileRecord, type RequiredStep, isTerminal } from './model.js';
import { notifiedKey } from './notifier.js';
import { DEFAULT_STEP_TIMEOUT_MS, type ObjectRef, type StepContext, type StepOutcome, findRecord, runOf, statusMessage } from './pipeline-runs.js';
import type { Clock, PipelineRepository, StatusPublisher } from './ports.js';

export interface DeadLetterStepsDeps {
  readonly repository: Pick<PipelineRepository, 'get' | 'markFailed'>;
  readonly status: StatusPublisher;
  readonly clock: Clock;
  /**
   * The longest a step's function may run (its timeout). A dead letter of a step another delivery
   * began less than this ago, with no error recorded, may still complete: it waits. 30 s default.
   */
  readonly stepTimeoutMs?: number | undefined;
}

export class DeadLetterSteps {
  readonly #deps: DeadLetterStepsDeps;

  constructor(deps: DeadLetterStepsDeps) {
    this.#deps = deps;
  }

  /**
   * A message of `step` ran out of retries: the file ends FAILED with the step's last error,
   * once however often the message is seen.
   */
  async deadLetter(step: RequiredStep, ref: ObjectRef, context: StepContext): Promise<StepOutcome> {
    const { log } = context;
    const { repository } = this.#deps;
    const found = await findRecord(repository, ref, log);
    if ('outcome' in found) return found;
    const record = found.record;
    if (runOf(record, ref.sequencer) !== 'CURRENT') {
      log.info('Dead letter of another run; ignored', { fileId: record.id });
      return { outcome: 'SKIPPED', reason: 'STALE' };
    }
    if (isTerminal(record.status)) {
      await this.#reannounceOwnFailure(step, record);
      return { outcome: 'SKIPPED', reason: 'FINISHED' };
    }
    const state = record.steps[step];
    if (state?.status === 'DONE') {
      log.info('Dead letter of a step another delivery completed; ignored', { fileId: record.id, step });
      return { outcome: 'SKIPPED', reason: 'COMPLETED' };
    }
    if (state?.status === 'RUNNING' && state.lastError === null && this.#mayStillComplete(state.at)) {
      log.info('Another delivery is still running the step; the dead letter waits for a later run', { fileId: record.id, step });
      return { outcome: 'SKIPPED', reason: 'IN_PROGRESS' };
    }
    const last = state?.lastError;
    const error: FileErrorRecord = {
      code: RETRIES_EXHAUSTED,
      message: `${step} ran out of retries${last ? `; last error ${last.name}: ${last.message}` : ''}`,
      step,
    };
    if (!(await repository.markFailed(record.id, ref.sequencer, error, this.#now()))) {
      const current = await repository.get(record.id);
      if (current !== null) await this.#reannounceOwnFailure(step, current);
      return { outcome: 'SKIPPED', reason: 'FINISHED' };
    }
    log.error('File failed: a step ran out of retries', { fileId: record.id, step, error });
    context.metrics?.count('FilesFailed');
    await this.#deps.status.publish(statusMessage(record, 'FAILED', ref.sequencer, error));
    return { outcome: 'FAILED', fileId: record.id, code: error.code };
  }

  /**
   * A dead letter meeting a finished file announces only what a dead letter of its step did and
   * notify has not delivered yet: the same dead letter handled again after a crash between the
   * transition and the announcement. Any other terminal state was announced by whoever made it.
   */
  async #reannounceOwnFailure(step: RequiredStep, record: FileRecord): Promise<void> {
    const { error, sequencer } = record;
    if (record.status !== 'FAILED' || error === null || error.code !== RETRIES_EXHAUSTED || error.step !== step || sequencer === null) return;
    if (record.notified === notifiedKey({ status: 'FAILED', sequencer })) return;
    await this.#deps.status.publish(statusMessage(record, 'FAILED', sequencer, error));
  }

  #now(): string {
    return this.#deps.clock.now().toISOString();
  }

  #mayStillComplete(startedAt: string): boolean {
    const started = Date.parse(startedAt);
    const timeout = this.#deps.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    return Number.isFinite(started) && this.#deps.clock.now().getTime() - started < timeout;
  }
}
