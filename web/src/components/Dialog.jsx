// Dialog is a modal window: Escape or the close button closes it, focus
// moves into it on open and back where it was on close.
import { useEffect, useId, useRef, useState } from 'preact/hooks';

export function Dialog({ title, onClose, children, wide }) {
  const id = useId();
  const box = useRef(null);
  useEffect(() => {
    const before = document.activeElement;
    const first = box.current && box.current.querySelector('input, select, textarea, button:not(.dialog-close)');
    if (first) first.focus();
    const onKey = (e) => { if (e.key === 'Escape') onClose(); };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before && before.focus) before.focus();
    };
  }, []);
  return (
    <div class="backdrop" onClick={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class={`dialog${wide ? ' dialog-wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={id} ref={box}>
        <header class="dialog-head">
          <h2 id={id}>{title}</h2>
          <button type="button" class="dialog-close" aria-label="Close" onClick={onClose}>×</button>
        </header>
        <div class="dialog-body">{children}</div>
      </div>
    </div>
  );
}

/**
 * ConfirmDialog asks before a destructive action, naming the object. With
 * typeName the user must type the name to enable the button. onConfirm may
 * be async; its error is shown and the dialog stays open.
 */
export function ConfirmDialog({ title, action, name, typeName, confirmLabel = 'Delete', children, onConfirm, onClose }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const ready = !typeName || typed === name;
  async function confirm(e) {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError('');
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(err.message || String(err));
      setBusy(false);
    }
  }
  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={confirm}>
        <p class="confirm-question">{action} <strong class="object-name">{name}</strong>?</p>
        {children}
        {typeName && (
          <div class="field">
            <label for="confirm-name">Type <strong>{name}</strong> to confirm</label>
            <input id="confirm-name" name="confirm-name" value={typed} autocomplete="off" onInput={(e) => setTyped(e.currentTarget.value)} />
          </div>
        )}
        {error && <div class="alert alert-error" role="alert">{error}</div>}
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="danger" disabled={!ready || busy}>{confirmLabel}</button>
        </div>
      </form>
    </Dialog>
  );
}
