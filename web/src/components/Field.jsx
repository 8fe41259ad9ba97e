// Field renders one labelled input bound to a useForm state, with the API's
// message for that parameter under it.
import { useId } from 'preact/hooks';

/**
 * Field props: form (from useForm), name (the API parameter), label, type
 * (text, password, number, email, select, checkbox, textarea), options
 * ([[value, label]] for select), hint, and any input attributes.
 */
export function Field({ form, name, label, type = 'text', options = [], hint, ...rest }) {
  const id = useId();
  const error = form.errors[name];
  const describedBy = [error && `${id}-err`, hint && `${id}-hint`].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy,
    disabled: form.busy || rest.disabled, ...rest,
  };
  const value = form.values[name] ?? '';
  let input;
  if (type === 'checkbox') {
    input = <input type="checkbox" {...common} checked={!!form.values[name]} onChange={(e) => form.set(name, e.currentTarget.checked)} />;
  } else if (type === 'select') {
    input = (
      <select {...common} value={value} onChange={(e) => form.set(name, e.currentTarget.value)}>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    );
  } else if (type === 'textarea') {
    input = <textarea {...common} value={value} onInput={(e) => form.set(name, e.currentTarget.value)} />;
  } else {
    input = <input type={type} {...common} value={value} onInput={(e) => form.set(name, e.currentTarget.value)} />;
  }
  return (
    <div class={`field${type === 'checkbox' ? ' field-check' : ''}${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {input}
      {hint && <div class="hint" id={`${id}-hint`}>{hint}</div>}
      {error && <div class="field-error" id={`${id}-err`} role="alert">{error}</div>}
    </div>
  );
}

/** FormMessage shows a form-level error (a failure not tied to one field). */
export function FormMessage({ form }) {
  if (!form.message) return null;
  return <div class="alert alert-error" role="alert">{form.message}</div>;
}
