// RollbackBanner shows a network apply with rollback on every page: the
// countdown and the Confirm button while the daemon waits, then whether the
// change was kept or rolled back (with its task).
import { countdown } from '../lib/rollback.js';

const TEXT = {
  applying: 'Applying the network configuration…',
  confirming: 'Confirming…',
  confirmed: 'Confirmed: the new network configuration stays.',
  'rolling-back': 'Not confirmed in time: the previous network configuration is being restored…',
};

export function RollbackBanner({ view, timeout, onConfirm, onShowTask, onDismiss }) {
  if (!view) return null;
  const { state, remaining, error } = view;
  const live = state === 'waiting' || state === 'confirming';
  let text = TEXT[state];
  if (state === 'rolled-back') {
    text = view.exitstatus === 'OK'
      ? 'Rolled back: it was not confirmed in time, so the previous network configuration is live again.'
      : `Rolling back failed (${view.exitstatus}): check the task log and the node's console.`;
  }
  if (state === 'failed') text = `Applying failed (${view.exitstatus}); the previous configuration was put back.`;
  const tone = { confirmed: 'ok', 'rolled-back': 'warn', 'rolling-back': 'warn', failed: 'error' }[state] || 'run';
  const done = ['confirmed', 'rolled-back', 'failed'].includes(state);
  return (
    <div class={`rollback rollback-${tone}`} role="region" aria-label="Network rollback" data-testid="rollback" data-state={state}>
      <div class="rollback-main">
        {live ? (
          <p>
            The new network configuration is live. Confirm it within{' '}
            <strong class="rollback-clock" data-testid="rollback-remaining" aria-live="off">{countdown(remaining)}</strong>,
            or it is rolled back.
          </p>
        ) : <p role="status">{text}</p>}
        {live && (
          <div class="meter-bar" aria-hidden="true">
            <div class="meter-fill meter-warn" style={{ width: `${Math.min(100, (remaining / timeout) * 100).toFixed(1)}%` }} />
          </div>
        )}
        {error && <div class="field-error" role="alert">{error.message || String(error)}</div>}
      </div>
      <div class="actions">
        {view.rollbackUpid && <button type="button" onClick={() => onShowTask(view.rollbackUpid)}>Rollback task</button>}
        <button type="button" onClick={() => onShowTask()}>Apply task</button>
        {live && <button type="button" class="primary" disabled={state === 'confirming'} onClick={onConfirm}>Confirm</button>}
        {done && <button type="button" onClick={onDismiss}>Dismiss</button>}
      </div>
    </div>
  );
}
