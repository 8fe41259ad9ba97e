// ErrorAlert shows a failed API call in words; 403 and 401 get their own tone.
export function ErrorAlert({ error }) {
  if (!error) return null;
  const kind = error.status === 403 ? 'alert-warn' : 'alert-error';
  return <div class={`alert ${kind}`} role="alert">{error.message || String(error)}</div>;
}
